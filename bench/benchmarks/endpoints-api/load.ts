import autocannon from 'autocannon';

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly bytesPerRequest: number;
  readonly statuses: string;
}

/**
 * autocannon against one URL. The load generator runs in a worker thread, so the server under
 * test keeps the main thread's event loop to itself.
 */
export async function load(url: string, options: { seconds: number; connections: number; headers?: Record<string, string> }): Promise<LoadResult> {
  const result = await autocannon({ url, connections: options.connections, duration: options.seconds, workers: 1, headers: options.headers ?? {} });
  const completed = result.requests.total;
  const codes = Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => `${code}×${String(stat.count ?? 0)}`);
  if (result.errors > 0 || completed === 0) throw new Error(`load on ${url}: ${String(result.errors)} errors, ${String(completed)} responses`);
  return {
    requestsPerSecond: completed / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    bytesPerRequest: result.throughput.total / completed,
    statuses: codes.join(' '),
  };
}
