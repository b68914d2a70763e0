import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { httpsGet } from '../src/http.ts';
import { adminTLS, startFleet, type Fleet } from '../src/index.ts';

// A fleet whose API servers serve Go's profiler, as B7 starts it with BENCH_SCALE_PROFILE.

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['hub'], apiServerProfiling: true, loadBalancer: false });
});

afterAll(async () => {
  await fleet.stop();
});

describe('an API server started with profiling', () => {
  it('hands the admin a CPU profile in pprof format', async () => {
    const hub = fleet.cluster('hub');
    const tls = adminTLS(hub.pki);
    const profiling = hub.apiServer.cpuProfile(2);
    // Requests while it samples, so the profile holds the API server's request path.
    for (let i = 0; i < 100; i++) expect((await httpsGet(`${hub.server}/api/v1/namespaces`, tls)).status).toBe(200);
    const profile = await profiling;
    // gzip, then a protobuf Profile: its string table names the binary's own functions.
    expect([...profile.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const decoded = gunzipSync(profile).toString('latin1');
    expect(decoded).toContain('kube-apiserver');
    expect(decoded).toContain('k8s.io/apiserver/pkg/endpoints');
  });
});
