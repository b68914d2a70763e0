import { memberTemplate, validate, type MemberCluster, type MemberEntry, type PrometheusCluster } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { clusterStatus } from './cluster-status.ts';
import { desiredReplica } from './desired-replica.ts';
import { memberEntry } from './member-entry.ts';
import { vetMemberReport } from './member-report.ts';
import { storeEndpoints } from './store-endpoints.ts';

function cluster(spec: Record<string, unknown> = {}): PrometheusCluster {
  const result = validate('PrometheusCluster', {
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusCluster',
    metadata: { name: 'cloud', namespace: 'platform', generation: 1 },
    spec: { clusterSelector: {}, configMap: 'prometheus-config', bucketSecret: 's3-bucket', ...spec },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

const member = (name: string, labels: Record<string, string> = {}): MemberCluster => ({
  apiVersion: 'promfleet.io/v1alpha1',
  kind: 'MemberCluster',
  metadata: { name, labels },
  spec: { kubeconfigSecretRef: { name: `member-${name}`, namespace: 'promfleet-system', key: 'kubeconfig' }, namespace: 'monitoring' },
});

const entry = (name: string, storeAPI: string[] | undefined, overrides: Partial<MemberEntry> = {}): MemberEntry => ({
  name,
  phase: 'Running',
  ready: true,
  stale: false,
  observedGeneration: 1,
  ...(storeAPI ? { storeAPI } : {}),
  ...overrides,
});

describe('storeEndpoints', () => {
  it('lists the addresses of ready, non-stale members only, by member then address', () => {
    const entries = [
      entry('us-east', ['store-us-east.example.com:443']),
      entry('eu-west', ['198.51.100.10:10901', '192.0.2.10:10901', '192.0.2.10:10901']),
      entry('ap-south', ['203.0.113.10:10901'], { phase: 'Offline', ready: false, stale: true }),
      entry('sa-east', ['203.0.113.11:10901'], { phase: 'Creating', ready: false }),
      entry('no-store', undefined),
    ];
    expect(storeEndpoints(entries)).toEqual([
      { member: 'eu-west', address: '192.0.2.10:10901' },
      { member: 'eu-west', address: '198.51.100.10:10901' },
      { member: 'us-east', address: 'store-us-east.example.com:443' },
    ]);
  });

  it('is the same list whatever order the members come in', () => {
    const entries = [entry('b', ['192.0.2.2:10901']), entry('a', ['192.0.2.1:10901']), entry('B', ['192.0.2.3:10901'])];
    expect(storeEndpoints(entries)).toEqual(storeEndpoints([...entries].reverse()));
    expect(storeEndpoints(entries).map((e) => e.member)).toEqual(['B', 'a', 'b']);
  });
});

describe('the StoreAPI through the fan-out', () => {
  it('gives each member its own host from the placeholders (its template, merged for it)', () => {
    const spec = cluster({ storeAPI: { expose: 'Ingress', host: 'store-{{ member.name }}.{{ member.labels.region }}.example.com' } });
    const eu = memberTemplate(spec.spec, { name: 'eu-west', labels: { region: 'eu' } });
    expect(eu.ok && eu.template.storeAPI).toEqual({ expose: 'Ingress', host: 'store-eu-west.eu.example.com' });
    expect(memberTemplate(spec.spec, { name: 'bare', labels: {} })).toMatchObject({
      ok: false,
      error: { path: 'spec.storeAPI.host', message: '{{ member.labels.region }}: member bare has no label "region"' },
    });
    expect(desiredReplica(cluster({ storeAPI: { expose: 'LoadBalancer' } }), member('eu-west')).spec.storeAPI).toEqual({ expose: 'LoadBalancer' });
  });

  it('records what the member reports, and keeps the last known addresses while it is offline (stale, so out of the list)', () => {
    const replica = {
      ...desiredReplica(cluster({ storeAPI: { expose: 'LoadBalancer' } }), member('eu-west')),
      status: { phase: 'Running' as const, output: { storeAPI: ['192.0.2.10:10901'] } },
    };
    const view = { name: 'eu-west', reachability: { state: 'ready' as const }, cacheSynced: true, replica, conflict: false, applyError: undefined };
    const live = memberEntry(view, undefined);
    expect(live.storeAPI).toEqual(['192.0.2.10:10901']);
    const offline = memberEntry({ ...view, replica: undefined, reachability: { state: 'offline', message: 'no probe', lastSeen: undefined } }, live);
    expect(offline).toMatchObject({ stale: true, storeAPI: ['192.0.2.10:10901'] });
    expect(storeEndpoints([offline])).toEqual([]);
  });

  it('drops a hostile StoreAPI address before it reaches the status, naming the field, never the value', () => {
    const replica = desiredReplica(cluster({ storeAPI: { expose: 'LoadBalancer' } }), member('eu-west'));
    const report = vetMemberReport({ ...replica, status: { phase: 'Running', output: { storeAPI: ['192.0.2.10:10901\n- targets: [evil:1]'] } } } as never);
    expect(report.replica?.status?.output?.storeAPI).toBeUndefined();
    expect(report.unpublishable).toBe('left out of DNS: status.output.storeAPI must each be host:port');
    const many = vetMemberReport({
      ...replica,
      status: { phase: 'Running', output: { storeAPI: Array.from({ length: 17 }, (_, i) => `192.0.2.${String(i)}:10901`) } },
    } as never);
    expect(many.replica?.status?.output?.storeAPI).toBeUndefined();
  });

  it('carries storeEndpoints in the status only when the PrometheusCluster asks for a StoreAPI', () => {
    const dns = { records: [], names: [], heldBy: undefined, newer: [], unpublished: [], invalid: [], refused: [], standby: [], failingStatic: undefined };
    const now = new Date('2026-01-01T00:00:00Z');
    const entries = [entry('eu-west', ['192.0.2.10:10901'])];
    expect(clusterStatus(cluster({ storeAPI: { expose: 'LoadBalancer' } }), entries, dns, now).storeEndpoints).toEqual([
      { member: 'eu-west', address: '192.0.2.10:10901' },
    ]);
    expect(clusterStatus(cluster(), entries, dns, now)).not.toHaveProperty('storeEndpoints');
  });
});
