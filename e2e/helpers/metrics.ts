import { WRITE_VERBS } from '@promfleet/kube/testing';
import { parseMetricsText, type MetricSample } from '@promfleet/testkit';

export type Sample = MetricSample;

/** The samples a process serves on /metrics now. */
export async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url}/metrics answered ${String(response.status)}`);
  return parseMetricsText(await response.text());
}

/** The sum of a metric's samples whose labels pass `filter`. */
export function total(samples: readonly Sample[], name: string, filter: (labels: Readonly<Record<string, string>>) => boolean = () => true): number {
  return samples.filter((sample) => sample.name === name && filter(sample.labels)).reduce((sum, sample) => sum + sample.value, 0);
}

const WRITES: ReadonlySet<string> = new Set(WRITE_VERBS);
/** Created, but only to ask a question: the hub's probes review their own access every interval. */
const QUESTIONS: ReadonlySet<string> = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews', 'tokenreviews']);

/** Kubernetes writes a process made that change state, other than the leader Lease's own renewals. */
export function writesBesidesLease(samples: readonly Sample[]): number {
  return total(
    samples,
    'promfleet_kube_requests_total',
    (labels) => WRITES.has(labels.verb ?? '') && labels.resource !== 'leases' && !QUESTIONS.has(labels.resource ?? ''),
  );
}

/** Whether the process holds its leader Lease (`promfleet_leader` is 1). */
export function isLeading(samples: readonly Sample[]): boolean {
  return total(samples, 'promfleet_leader') === 1;
}

/**
 * `read` of a process's samples once it has stopped moving for `quietMs`: a process done with the
 * work that moves it. `moving` says what still moved when it does not settle within `timeoutMs`.
 */
export async function settled(
  url: string,
  read: (samples: readonly Sample[]) => number,
  {
    quietMs = 2_000,
    timeoutMs = 30_000,
    moving = () => '',
  }: { quietMs?: number; timeoutMs?: number; moving?: (first: readonly Sample[], last: readonly Sample[]) => string } = {},
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const first = await scrape(url);
  let last = read(first);
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const samples = await scrape(url);
    const now = read(samples);
    if (now !== last) [last, since] = [now, Date.now()];
    if (Date.now() > deadline) throw new Error(`${url} kept moving for ${String(timeoutMs)} ms: ${moving(first, samples)}`);
  }
  return last;
}

/** `writesBesidesLease` once it has stopped moving for `quietMs`: a process done with its work. */
export function settledWrites(url: string, quietMs = 2_000, timeoutMs = 30_000): Promise<number> {
  return settled(url, writesBesidesLease, { quietMs, timeoutMs, moving: writeDelta });
}

/** The writes between two scrapes, by cluster, verb and resource. */
function writeDelta(before: readonly Sample[], after: readonly Sample[]): string {
  const key = (sample: Sample) => `${sample.labels.cluster ?? ''} ${sample.labels.verb ?? ''} ${sample.labels.resource ?? ''} ${sample.labels.code ?? ''}`;
  const counted = (samples: readonly Sample[]) =>
    new Map(
      samples
        .filter((sample) => sample.name === 'promfleet_kube_requests_total' && WRITES.has(sample.labels.verb ?? ''))
        .map((sample) => [key(sample), sample.value]),
    );
  const [from, to] = [counted(before), counted(after)];
  return [...to]
    .filter(([name, value]) => value !== (from.get(name) ?? 0))
    .map(([name, value]) => `${name} +${String(value - (from.get(name) ?? 0))}`)
    .join(', ');
}
