import { createHash } from 'node:crypto';

import { KubeApiError } from '../client/errors.ts';
import type { KubeObject } from '../client/objects.ts';
import type { ResourceClient, Writable } from '../client/resource-client.ts';
import { canonicalJSON, isSubset, semanticEqual } from './semantic.ts';

export interface ApplyResult<T> {
  readonly object: T;
  /** False when no request was needed or the server changed nothing. */
  readonly changed: boolean;
}

/** Another field manager owns fields this apply sets, and the apply was not forced. */
export class ApplyConflictError extends Error {
  readonly conflicts: readonly string[];
  constructor(cause: KubeApiError) {
    const conflicts = (cause.status?.details?.causes ?? []).map((c) => `${c.field ?? ''}: ${c.message ?? ''}`);
    super(`apply conflict: ${conflicts.join('; ') || cause.message}`, { cause });
    this.name = 'ApplyConflictError';
    this.conflicts = conflicts;
  }
}

export interface ApplierOptions {
  /** The annotation that carries the hash of the applied object (`example.com/applied-hash`). */
  readonly hashAnnotation: string;
}

/**
 * Server-side apply with one field manager, making no request when nothing would change.
 *
 * A desired object is applied unless the live object (from a cache) already carries the hash
 * of exactly this desired object *and* still has every field of it. The hash is stored in an
 * annotation on the object, so the rule holds across restarts and catches fields the
 * controller stopped setting (which a field-by-field comparison cannot see); the field check
 * catches hand edits.
 */
export class Applier {
  readonly fieldManager: string;
  readonly hashAnnotation: string;

  constructor(fieldManager: string, options: ApplierOptions) {
    this.fieldManager = fieldManager;
    this.hashAnnotation = options.hashAnnotation;
  }

  async apply<T extends KubeObject>(
    resources: ResourceClient<T>,
    desired: Writable<T>,
    live: T | undefined,
    options: { force?: boolean } = {},
  ): Promise<ApplyResult<T>> {
    const hash = appliedHash(desired, this.hashAnnotation);
    const object: Writable<T> = {
      ...desired,
      metadata: { ...desired.metadata, annotations: { ...desired.metadata?.annotations, [this.hashAnnotation]: hash } },
    };
    if (live && live.metadata?.annotations?.[this.hashAnnotation] === hash && isSubset(stripStatus(object), live)) {
      return { object: live, changed: false };
    }
    try {
      const applied = await resources.apply(object, { fieldManager: this.fieldManager, force: options.force ?? true });
      return { object: applied, changed: applied.metadata?.resourceVersion !== live?.metadata?.resourceVersion };
    } catch (error) {
      if (error instanceof KubeApiError && error.code === 409) throw new ApplyConflictError(error);
      throw error;
    }
  }

  /**
   * Applies `status` through the status subresource when it differs from the live status. The
   * status is wholly this manager's, so it is compared for equality, not as a subset.
   */
  async applyStatus<T extends KubeObject & { status?: unknown }>(
    resources: ResourceClient<T>,
    live: T,
    status: NonNullable<T['status']>,
  ): Promise<ApplyResult<T>> {
    if (semanticEqual(status, live.status)) return { object: live, changed: false };
    const { name, namespace } = live.metadata ?? {};
    const object = { metadata: { name, ...(namespace ? { namespace } : {}) }, status } as unknown as Writable<T>;
    const applied = await resources.apply(object, { fieldManager: this.fieldManager, force: true, subresource: 'status' });
    return { object: applied, changed: true };
  }
}

/** The hash a desired object is known by: sha256 of its canonical JSON, without the hash annotation itself. */
export function appliedHash(desired: KubeObject, hashAnnotation: string): string {
  const { [hashAnnotation]: _previous, ...annotations } = desired.metadata?.annotations ?? {};
  const normalized = { ...desired, metadata: { ...desired.metadata, annotations } };
  return createHash('sha256').update(canonicalJSON(normalized)).digest('hex').slice(0, 16);
}

function stripStatus(object: KubeObject): KubeObject {
  const { status: _ignored, ...rest } = object as KubeObject & { status?: unknown };
  return rest;
}
