import { replicaTemplateFields, validate, type MemberCluster, type PrometheusCluster, type PrometheusReplica } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { clusterStatus } from './cluster-status.ts';
import { desiredReplica, isManagedBy, ownerKey } from './desired-replica.ts';
import { memberView } from '../../test/member-view.ts';
import { memberEntry } from './member-entry.ts';

function cluster(spec: Record<string, unknown> = {}, generation = 3): PrometheusCluster {
  const result = validate('PrometheusCluster', {
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusCluster',
    metadata: { name: 'cloud-clusters', namespace: 'platform', generation },
    spec: { clusterSelector: { matchLabels: { platform: 'cloud' } }, configMap: 'prometheus-config', bucketSecret: 's3-bucket', ...spec },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

const member: MemberCluster = {
  apiVersion: 'promfleet.io/v1alpha1',
  kind: 'MemberCluster',
  metadata: { name: 'eu-west', labels: { platform: 'cloud' } },
  spec: { kubeconfigSecretRef: { name: 'member-eu-west', namespace: 'promfleet-system', key: 'kubeconfig' }, namespace: 'monitoring' },
};

function replicaIn(status: PrometheusReplica['status'], generation = 1, source = '3'): PrometheusReplica {
  const desired = desiredReplica(cluster(), member);
  return {
    ...desired,
    metadata: { ...desired.metadata, generation, annotations: { 'promfleet.io/source-generation': source } },
    ...(status ? { status } : {}),
  };
}

describe('desiredReplica', () => {
  it('copies the replica fields, names it after the cluster, owns paused, labels it as the hub’s and records the generation', () => {
    const replica = desiredReplica(
      cluster({
        highlyAvailable: true,
        baseDomain: 'prometheus.example.com',
        dns: { ttl: 60 },
        rules: { configMaps: ['team-rules'] },
        alertmanagers: [{ targets: ['alertmanager.monitoring.svc:9093'] }],
        compaction: { retention: { raw: '30d' } },
      }),
      member,
    );
    expect(replica).toEqual({
      apiVersion: 'promfleet.io/v1alpha1',
      kind: 'PrometheusReplica',
      metadata: {
        name: 'cloud-clusters',
        namespace: 'monitoring',
        labels: {
          'promfleet.io/managed-by': 'promfleet-hub',
          'promfleet.io/hub-namespace': 'platform',
          'promfleet.io/hub-name': 'cloud-clusters',
          'promfleet.io/member': 'eu-west',
        },
        annotations: { 'promfleet.io/source-generation': '3' },
      },
      spec: {
        configMap: 'prometheus-config',
        configMapKey: 'prometheus.yml',
        highlyAvailable: true,
        baseDomain: 'prometheus.example.com',
        metrics: { retention: '24h', blockDuration: '2h' },
        bucketSecret: 's3-bucket',
        kubernetesDiscovery: false,
        rules: { configMaps: ['team-rules'] },
        alertmanagers: [{ targets: ['alertmanager.monitoring.svc:9093'], scheme: 'http' }],
        compaction: { enabled: true, downsampling: true, retention: { raw: '30d', fiveMinutes: '0d', oneHour: '0d' } },
        clusterName: 'eu-west',
        paused: false,
      },
    });
    expect(validate('PrometheusReplica', replica).ok).toBe(true);
  });

  it('carries every field a replica shares with its PrometheusCluster, the security ones included', () => {
    const security = {
      grafana: { enabled: true, adminSecret: 'grafana-admin' },
      ingress: { className: 'nginx', annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' }, tls: { secretName: 'query-tls' } },
      kubernetesDiscovery: true,
      networkPolicy: { enabled: true, ingressControllerNamespaces: { matchLabels: { team: 'ingress' } } },
      images: { thanos: 'quay.io/thanos/thanos:v0.39.2' },
    };
    const spec = desiredReplica(cluster(security), member).spec;
    expect(spec).toMatchObject(security);
    const shared = Object.keys(replicaTemplateFields).filter((field) => field in cluster(security).spec);
    expect(shared.filter((field) => !(field in spec))).toEqual([]);
  });

  it('recognises its own replicas and no one else’s', () => {
    const replica = desiredReplica(cluster(), member);
    expect(isManagedBy(replica, { namespace: 'platform', name: 'cloud-clusters' })).toBe(true);
    expect(isManagedBy(replica, { namespace: 'other', name: 'cloud-clusters' })).toBe(false);
    expect(ownerKey(replica)).toBe('platform/cloud-clusters');
    expect(ownerKey({ ...replica, metadata: { ...replica.metadata, labels: {} } })).toBeUndefined();
  });
});

describe('memberEntry', () => {
  it('reports a running replica with its host, addresses and the cluster generation it observed', () => {
    const replica = replicaIn({ observedGeneration: 1, phase: 'Running', output: { queryHost: 'query.x', addresses: ['192.0.2.10'] } });
    expect(memberEntry(memberView({ replica }), undefined)).toEqual({
      name: 'eu-west',
      observedGeneration: 3,
      queryHost: 'query.x',
      addresses: ['192.0.2.10'],
      phase: 'Running',
      ready: true,
      stale: false,
    });
  });

  it('says so when Prometheus rejected its config, and keeps a running member ready (the old config serves)', () => {
    const conditions = [
      { type: 'Ready', status: 'True', reason: 'AllTiersReady', message: '3/3 pods ready', lastTransitionTime: '2026-01-01T00:00:00Z' },
      {
        type: 'ConfigApplied',
        status: 'False',
        reason: 'ConfigRejected',
        message: 'Prometheus in pod p-0 rejected the config',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ] as const;
    const running = replicaIn({ observedGeneration: 1, phase: 'Running', conditions: [...conditions] });
    expect(memberEntry(memberView({ replica: running }), undefined)).toMatchObject({
      phase: 'Running',
      ready: true,
      message: 'ConfigApplied=False (ConfigRejected): Prometheus in pod p-0 rejected the config',
    });
    const degraded = replicaIn({
      observedGeneration: 1,
      phase: 'Degraded',
      conditions: [{ ...conditions[0], status: 'False', reason: 'TiersNotReady', message: 'prometheus 0/1 ready' }, conditions[1]],
    });
    expect(memberEntry(memberView({ replica: degraded }), undefined).message).toBe(
      'prometheus 0/1 ready; ConfigApplied=False (ConfigRejected): Prometheus in pod p-0 rejected the config',
    );
  });

  it('keeps the previous observed generation while the operator has not caught up', () => {
    const replica = replicaIn({ observedGeneration: 1, phase: 'Running' }, 2, '4');
    expect(
      memberEntry(memberView({ replica }), { name: 'eu-west', phase: 'Running', ready: true, stale: false, observedGeneration: 3 }).observedGeneration,
    ).toBe(3);
  });

  it('marks an offline member stale with its last known state, out of readiness', () => {
    const replica = replicaIn({ observedGeneration: 1, phase: 'Running', output: { addresses: ['192.0.2.10'] } });
    const entry = memberEntry(
      memberView({ replica, reachability: { state: 'offline', message: 'no successful probe', lastSeen: '2026-01-01T00:00:00Z' } }),
      undefined,
    );
    expect(entry).toMatchObject({ phase: 'Offline', ready: false, stale: true, lastSeen: '2026-01-01T00:00:00Z', addresses: ['192.0.2.10'] });
  });

  it('reports a conflict, an unusable credential, a pending list and an apply error', () => {
    expect(memberEntry(memberView({ conflict: true }), undefined)).toMatchObject({ phase: 'Conflict', ready: false, stale: false });
    expect(memberEntry(memberView({ reachability: { state: 'unusable', message: 'bad kubeconfig', lastSeen: undefined } }), undefined)).toMatchObject({
      phase: 'Error',
      stale: true,
      message: 'bad kubeconfig',
    });
    expect(memberEntry(memberView({ cacheSynced: false }), undefined)).toMatchObject({ phase: 'Unknown', stale: false });
    expect(memberEntry(memberView({ applyError: 'forbidden' }), undefined)).toMatchObject({ phase: 'Error', message: 'forbidden' });
    expect(memberEntry(memberView({}), undefined)).toMatchObject({ phase: 'Pending', ready: false });
    expect(memberEntry(memberView({ held: 'spec.images.thanos: not allowed' }), undefined)).toMatchObject({
      phase: 'Pending',
      message: 'not created: spec.images.thanos: not allowed',
    });
  });

  it('keeps what was recorded while a hub that just took over has not probed or listed the member', () => {
    const recorded = {
      name: 'eu-west',
      phase: 'Running' as const,
      ready: true,
      stale: false,
      observedGeneration: 3,
      addresses: ['192.0.2.10'],
      queryHost: 'query.x',
    };
    expect(memberEntry(memberView({ reachability: { state: 'unknown', message: 'waiting for the first probe' } }), recorded)).toEqual(recorded);
    expect(memberEntry(memberView({ cacheSynced: false }), recorded)).toEqual(recorded);
    // Once the member is known to be offline, the recorded entry goes stale (and out of DNS).
    expect(memberEntry(memberView({ reachability: { state: 'offline', message: 'no probe', lastSeen: undefined } }), recorded)).toMatchObject({
      phase: 'Offline',
      stale: true,
      addresses: ['192.0.2.10'],
    });
  });
});

describe('clusterStatus', () => {
  const records = [{ dnsName: 'query.x', recordType: 'A' as const, targets: ['192.0.2.10'], ttl: 30 }];
  const dns = { records, names: ['query.x'], heldBy: undefined, newer: [], unpublished: [], invalid: [], refused: [], standby: [], failingStatic: undefined };
  const now = new Date('2026-01-01T00:00:00Z');

  it('is Ready when every member is ready at the current generation, and publishes the records', () => {
    const status = clusterStatus(cluster(), [{ name: 'eu-west', phase: 'Running', ready: true, stale: false, observedGeneration: 3 }], dns, now);
    expect(status).toMatchObject({ phase: 'Ready', selected: 1, ready: 1, endpoints: records, observedGeneration: 3 });
    expect(status.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
      'Ready=True/AllMembersReady',
      'Propagated=True/AllMembersCurrent',
      'DNSPublished=True/Published',
    ]);
  });

  it('is Degraded with Ready=False ImageNotAllowed while refused, whatever the members report', () => {
    const status = clusterStatus(
      cluster(),
      [{ name: 'eu-west', phase: 'Running', ready: true, stale: false, observedGeneration: 2 }],
      dns,
      now,
      'spec.images.thanos: "evil.io/thanos" is not allowed',
    );
    expect(status.phase).toBe('Degraded');
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ImageNotAllowed',
      message: 'nothing is applied to the members: spec.images.thanos: "evil.io/thanos" is not allowed',
    });
    // What runs in the members keeps serving DNS.
    expect(status.endpoints).toEqual(records);
  });

  it('is Propagating while a member runs an older generation', () => {
    const status = clusterStatus(cluster(), [{ name: 'eu-west', phase: 'Running', ready: true, stale: false, observedGeneration: 2 }], dns, now);
    expect(status.phase).toBe('Propagating');
    expect(status.conditions?.find((c) => c.type === 'Propagated')).toMatchObject({
      status: 'False',
      reason: 'MembersBehind',
      message: 'not yet at generation 3: eu-west',
    });
  });

  it('is Degraded with a stale member, and Pending with none selected', () => {
    const stale = clusterStatus(cluster(), [{ name: 'us-east', phase: 'Offline', ready: false, stale: true, observedGeneration: 3 }], dns, now);
    expect(stale.phase).toBe('Degraded');
    expect(stale.conditions?.[0]?.message).toBe('0/1 members ready; us-east Offline (stale)');
    expect(clusterStatus(cluster(), [], dns, now)).toMatchObject({ phase: 'Pending', selected: 0 });
  });

  const running = [{ name: 'eu-west', phase: 'Running' as const, ready: true, stale: false, observedGeneration: 3 }];
  const dnsCondition = (status: ReturnType<typeof clusterStatus>) => status.conditions?.find((c) => c.type === 'DNSPublished');

  it('publishes nothing and names the holder when an older cluster holds the same name', () => {
    const status = clusterStatus(cluster(), running, { ...dns, heldBy: 'team-b/other' }, now);
    expect(status.endpoints).toEqual([]);
    expect(dnsCondition(status)).toMatchObject({
      status: 'False',
      reason: 'BaseDomainConflict',
      message: 'query.x is held by team-b/other, an older PrometheusCluster with the same baseDomain: this one publishes nothing while it does',
    });
  });

  it('goes on publishing as the holder, saying who else claims the name', () => {
    const status = clusterStatus(cluster(), running, { ...dns, newer: ['team-b/other'] }, now);
    expect(status.endpoints).toEqual(records);
    expect(dnsCondition(status)).toMatchObject({
      status: 'True',
      reason: 'Published',
      message: '1 record(s) for query.x; also claimed by team-b/other, newer, which publish nothing',
    });
  });

  it('names members left out for invalid targets, and says InvalidMemberTargets when nothing is left', () => {
    const some = clusterStatus(cluster(), running, { ...dns, invalid: ['us-east'] }, now);
    expect(dnsCondition(some)).toMatchObject({
      status: 'True',
      reason: 'Published',
      message: '1 record(s) for query.x; left out (invalid targets reported): us-east',
    });
    const none = clusterStatus(cluster(), running, { ...dns, records: [], invalid: ['eu-west'] }, now);
    expect(none.endpoints).toEqual([]);
    expect(dnsCondition(none)).toMatchObject({
      status: 'False',
      reason: 'InvalidMemberTargets',
      message: 'no ready member to publish for query.x; left out (invalid targets reported): eu-west',
    });
  });

  it('says which hostname members stand by under routing policy none, and refuses them under multivalue', () => {
    const standby = clusterStatus(cluster(), running, { ...dns, standby: ['us-east'] }, now);
    expect(dnsCondition(standby)?.message).toBe("1 record(s) for query.x; standing by (spec.dns.routingPolicy none publishes one member's CNAME): us-east");
    const refused = clusterStatus(cluster(), running, { ...dns, records: [], refused: ['eu-west'] }, now);
    expect(dnsCondition(refused)).toMatchObject({
      status: 'False',
      reason: 'RoutingPolicyUnsupported',
      message:
        'no ready member to publish for query.x; left out (spec.dns.routingPolicy multivalue cannot publish hostname targets: Route 53 has no multivalue CNAME or alias records; use weighted or none): eu-west',
    });
  });

  it('says FailingStatic, naming the members it keeps and the threshold, while it fails static', () => {
    const failing = clusterStatus(
      cluster(),
      running,
      { ...dns, failingStatic: { held: ['eu-west', 'us-east'], reachable: 0, counted: 2, minHealthyPercent: 50 } },
      now,
    );
    expect(failing.endpoints).toEqual(records);
    expect(dnsCondition(failing)).toMatchObject({
      status: 'True',
      reason: 'FailingStatic',
      message:
        'keeping the last known records of eu-west, us-east for query.x: 0 of 2 published or reachable members reached, below spec.dns.minHealthyPercent 50%; the hub may be cut off from them, so it does not act on it until enough are reached again',
    });
  });
});
