import { setTimeout as sleep } from 'node:timers/promises';

import { WRITE_VERBS } from '@promfleet/kube/testing';
import type { NodeProcess } from '@promfleet/testkit';

import { controllerMetrics, kitRequests } from './scrape.ts';

/** Writes that happen on a clock whatever the load: leader Leases, and the probes' access reviews. */
export const PERIODIC_RESOURCES = new Set(['leases', 'selfsubjectaccessreviews', 'selfsubjectrulesreviews']);

const writeVerbs: ReadonlySet<string> = new Set(WRITE_VERBS);

async function controllerWrites(controllers: readonly NodeProcess[]): Promise<number> {
  const texts = await Promise.all(controllers.map((process) => controllerMetrics(process.url)));
  return texts
    .flatMap(kitRequests)
    .filter(({ labels }) => writeVerbs.has(labels.verb ?? '') && !PERIODIC_RESOURCES.has(labels.resource ?? ''))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/**
 * Waits until the controllers have written nothing but Leases and access reviews for
 * `quietMs`: the tail of a change (late status updates as pods turn ready) belongs to it.
 */
export async function waitQuiet(controllers: readonly NodeProcess[], quietMs = 3000, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await controllerWrites(controllers);
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error(`the controllers kept writing for ${String(timeoutMs)} ms`);
    await sleep(500);
    const now = await controllerWrites(controllers);
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}
