import { ANNOTATIONS, validate, type MemberCluster, type PrometheusReplica } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { refusedImages, rolloutMember } from './member-rollout.ts';

const member = { metadata: { name: 'eu-1', labels: { region: 'eu' } }, spec: { namespace: 'monitoring' } } as unknown as MemberCluster;
const ready = { reachability: { state: 'ready' as const }, cacheSynced: true, conflict: false };

function replica(annotations: Record<string, string>, status: PrometheusReplica['status'], generation = 3): PrometheusReplica {
  return { metadata: { name: 'fleet', namespace: 'monitoring', generation, annotations }, status } as unknown as PrometheusReplica;
}

describe('rolloutMember', () => {
  it('reads the pin and its time from the replica, available only when Running with the spec observed', () => {
    const pinned = { [ANNOTATIONS.revision]: 'fleet-aaaa', [ANNOTATIONS.revisionTime]: '2026-01-01T00:00:00Z' };
    expect(rolloutMember(member, { ...ready, replica: replica(pinned, { phase: 'Running', observedGeneration: 3 }) }, undefined)).toEqual({
      name: 'eu-1',
      labels: { region: 'eu' },
      revision: 'fleet-aaaa',
      online: true,
      available: true,
      since: new Date('2026-01-01T00:00:00Z'),
      message: undefined,
    });
    const behind = rolloutMember(member, { ...ready, replica: replica(pinned, { phase: 'Running', observedGeneration: 2 }) }, undefined);
    expect(behind.available).toBe(false);
    const creating = rolloutMember(
      member,
      {
        ...ready,
        replica: replica(pinned, {
          phase: 'Creating',
          observedGeneration: 3,
          conditions: [{ type: 'Ready', status: 'False', reason: 'PodsNotReady', message: '0/1 pods ready' }],
        } as PrometheusReplica['status']),
      },
      undefined,
    );
    expect([creating.available, creating.message]).toEqual([false, 'Creating: 0/1 pods ready']);
  });

  it('falls back to the recorded revision when the replica is gone, and ignores a time that is not one', () => {
    const gone = rolloutMember(member, { ...ready, replica: undefined }, { name: 'eu-1', phase: 'Running', ready: true, stale: false, revision: 'fleet-bbbb' });
    expect([gone.revision, gone.available, gone.since]).toEqual(['fleet-bbbb', false, undefined]);
    const garbage = rolloutMember(member, { ...ready, replica: replica({ [ANNOTATIONS.revisionTime]: 'yesterday' }, undefined) }, undefined);
    expect(garbage.since).toBeUndefined();
  });

  it('is not online while offline, still being listed, or in conflict', () => {
    expect(
      rolloutMember(member, { ...ready, reachability: { state: 'offline', message: 'x', lastSeen: undefined }, replica: undefined }, undefined).online,
    ).toBe(false);
    expect(rolloutMember(member, { ...ready, cacheSynced: false, replica: undefined }, undefined).online).toBe(false);
    expect(rolloutMember(member, { ...ready, conflict: true, replica: undefined }, undefined).online).toBe(false);
  });
});

describe('refusedImages', () => {
  it('checks every override, naming the override the image is in', () => {
    const parsed = validate('PrometheusCluster', {
      apiVersion: 'promfleet.io/v1alpha1',
      kind: 'PrometheusCluster',
      metadata: { name: 'fleet', namespace: 'platform' },
      spec: {
        clusterSelector: {},
        configMap: 'c',
        bucketSecret: 'b',
        overrides: [
          { clusterSelector: {}, template: { highlyAvailable: true } },
          { clusterSelector: { matchLabels: { region: 'eu' } }, template: { images: { thanos: 'docker.io/attacker/thanos:v1' } } },
        ],
      },
    });
    if (!parsed.ok) throw new Error('fixture invalid');
    expect(refusedImages(parsed.value.spec, ['quay.io/'])).toEqual([
      {
        path: 'spec.overrides[1].template.images.thanos',
        message: '"docker.io/attacker/thanos:v1" is not allowed: only images under quay.io/ may run (--allowed-image-prefixes)',
      },
    ]);
  });
});
