import { quantityBytes } from '@promfleet/api';
import { canonicalJSON } from '@promfleet/kube/apply';
import type { IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IPersistentVolumeClaim, IPod } from 'kubernetes-models/v1';

/** A claim to grow in place to the template's size. */
export interface ClaimResize {
  readonly claim: string;
  readonly uid: string;
  readonly from: string;
  readonly to: string;
}

export type ClaimProblemKind = 'refused' | 'shrink' | 'class' | 'resizing';

export interface ClaimProblem {
  readonly kind: ClaimProblemKind;
  readonly claim: string;
  readonly message: string;
}

/** What the API server answered when a resize was refused, by `uid@size`: not asked again. */
export type RefusedResizes = ReadonlyMap<string, string>;

export const refusalKey = (uid: string, size: string): string => `${uid}@${size}`;

/**
 * Compares the existing claims of a StatefulSet (`<template>-<statefulset>-<ordinal>`, also
 * those of pods scaled away, which come back with them) with its claim templates: claims smaller
 * than the template are resized in place; what cannot be made to match is reported.
 */
export function planClaims(
  statefulSet: IStatefulSet,
  claims: readonly IPersistentVolumeClaim[],
  refused: RefusedResizes,
): { resize: ClaimResize[]; problems: ClaimProblem[] } {
  const resize: ClaimResize[] = [];
  const problems: ClaimProblem[] = [];
  const name = statefulSet.metadata?.name ?? '';
  for (const template of statefulSet.spec?.volumeClaimTemplates ?? []) {
    const prefix = `${template.metadata?.name ?? ''}-${name}-`;
    const wanted = String(template.spec?.resources?.requests?.storage ?? '');
    const wantedBytes = quantityBytes(wanted);
    const wantedClass = template.spec?.storageClassName;
    for (const claim of claims) {
      const claimName = claim.metadata?.name ?? '';
      if (!claimName.startsWith(prefix) || !/^\d+$/.test(claimName.slice(prefix.length)) || claim.metadata?.deletionTimestamp) continue;
      const requested = String(claim.spec?.resources?.requests?.storage ?? '');
      const requestedBytes = quantityBytes(requested) ?? 0;
      const capacity = claim.status?.capacity?.storage;
      const uid = claim.metadata?.uid ?? '';
      if (wantedClass !== undefined && claim.spec?.storageClassName !== undefined && claim.spec.storageClassName !== wantedClass) {
        problems.push({
          kind: 'class',
          claim: claimName,
          message: `claim ${claimName} keeps StorageClass ${claim.spec.storageClassName} (the template asks for ${wantedClass}): a class cannot change in place; new claims get ${wantedClass}`,
        });
        continue;
      }
      if (wantedBytes === undefined) continue;
      if (wantedBytes < requestedBytes) {
        problems.push({ kind: 'shrink', claim: claimName, message: `claim ${claimName} keeps ${requested}: claims cannot shrink to ${wanted}` });
      } else if (wantedBytes > requestedBytes) {
        const refusal = refused.get(refusalKey(uid, wanted));
        if (refusal !== undefined)
          problems.push({
            kind: 'refused',
            claim: claimName,
            message: `claim ${claimName} stays ${requested}, the API server refused to expand it to ${wanted}: ${refusal}`,
          });
        else resize.push({ claim: claimName, uid, from: requested, to: wanted });
      } else if (capacity !== undefined && (quantityBytes(String(capacity)) ?? 0) < requestedBytes) {
        problems.push({ kind: 'resizing', claim: claimName, message: `claim ${claimName} is being expanded from ${String(capacity)} to ${requested}` });
      }
    }
  }
  return { resize, problems };
}

/**
 * Pods of a StatefulSet without a volume for each of its claim templates: pods adopted from a
 * StatefulSet that had fewer claims. The StatefulSet controller tries to add the claim to the
 * running pod, which the API server refuses (pod volumes are immutable), and never rolls it:
 * such a pod has to be deleted to come back with its claim.
 */
export function podsWithoutClaims(statefulSet: IStatefulSet, pods: readonly IPod[]): IPod[] {
  const name = statefulSet.metadata?.name ?? '';
  const templates = (statefulSet.spec?.volumeClaimTemplates ?? []).map((claim) => claim.metadata?.name ?? '');
  return pods.filter((pod) => {
    const podName = pod.metadata?.name ?? '';
    const ordinal = podName.startsWith(`${name}-`) ? podName.slice(name.length + 1) : '';
    if (!/^\d+$/.test(ordinal)) return false;
    return templates.some(
      (template) =>
        !(pod.spec?.volumes ?? []).some((volume) => volume.name === template && volume.persistentVolumeClaim?.claimName === `${template}-${name}-${ordinal}`),
    );
  });
}

/** Fields of a StatefulSet spec the API server refuses to change, which differ between the two. */
export function immutableChanges(desired: IStatefulSet, live: IStatefulSet): string[] {
  const changes: string[] = [];
  const claims = (set: IStatefulSet) =>
    JSON.stringify(
      (set.spec?.volumeClaimTemplates ?? []).map((claim) => [
        claim.metadata?.name,
        quantityBytes(String(claim.spec?.resources?.requests?.storage ?? '')),
        claim.spec?.storageClassName ?? null,
        [...(claim.spec?.accessModes ?? [])].sort(),
      ]),
    );
  if (claims(desired) !== claims(live)) changes.push('volumeClaimTemplates');
  if ((desired.spec?.serviceName ?? '') !== (live.spec?.serviceName ?? '')) changes.push('serviceName');
  if ((desired.spec?.podManagementPolicy ?? 'OrderedReady') !== (live.spec?.podManagementPolicy ?? 'OrderedReady')) changes.push('podManagementPolicy');
  if (canonicalJSON(desired.spec?.selector.matchLabels ?? {}) !== canonicalJSON(live.spec?.selector.matchLabels ?? {})) changes.push('selector');
  return changes;
}
