import type { PrometheusCluster, PrometheusReplica } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { clusterStatus } from './cluster-status.ts';
import { memberView } from '../../test/member-view.ts';
import { memberEntry } from './member-entry.ts';
import { noOperatorDeadline, noOperatorMessage } from './no-operator.ts';

const CREATED = '2026-01-01T00:00:00Z';
const at = (seconds: number) => new Date(Date.parse(CREATED) + seconds * 1000);
const WAIT_MS = 120_000;

function replica(status?: PrometheusReplica['status'], creationTimestamp: string | null = CREATED): PrometheusReplica {
  return {
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusReplica',
    metadata: { name: 'cloud', namespace: 'team-x', generation: 1, ...(creationTimestamp === null ? {} : { creationTimestamp }) },
    spec: { configMap: 'c', bucketSecret: 'b' },
    ...(status ? { status } : {}),
  } as PrometheusReplica;
}

/** The entry the hub writes for a replica at `seconds` after its creation. */
const entryAt = (subject: PrometheusReplica, seconds: number) =>
  memberEntry(memberView({ replica: subject, noOperator: noOperatorMessage(subject, 'eu-west', at(seconds), WAIT_MS) }), undefined);

describe('a replica nobody reconciles', () => {
  it('is Pending until the wait is up, then NoOperator with a message that says where to look', () => {
    expect(entryAt(replica(), 119)).toMatchObject({ phase: 'Pending', ready: false, stale: false });
    const entry = entryAt(replica(), 120);
    expect(entry).toEqual({
      name: 'eu-west',
      phase: 'NoOperator',
      ready: false,
      stale: false,
      message:
        'no replica operator has reconciled PrometheusReplica team-x/cloud within 2m of its creation: is promfleet-replica-operator running in eu-west, and does its --watch-namespaces (chart value watchNamespaces) include team-x?',
    });
  });

  it('counts a status without observedGeneration as unreconciled, and any reconciled one as picked up, however old', () => {
    expect(entryAt(replica({}), 600).phase).toBe('NoOperator');
    expect(entryAt(replica({ observedGeneration: 1, phase: 'Creating' }), 600).phase).toBe('Creating');
    expect(entryAt(replica({ observedGeneration: 1, phase: 'Failed' }), 600).phase).toBe('Failed');
  });

  it('knows when to look again, and never judges a replica whose creation time it cannot read', () => {
    expect(noOperatorDeadline(replica(), WAIT_MS)).toEqual(at(120));
    expect(noOperatorDeadline(replica({ observedGeneration: 1 }), WAIT_MS)).toBeUndefined();
    expect(noOperatorDeadline(undefined, WAIT_MS)).toBeUndefined();
    for (const hostile of [null, '', 'yesterday', '9999-99-99T99:99:99Z']) {
      expect(noOperatorMessage(replica(undefined, hostile), 'eu-west', at(10_000_000), WAIT_MS), String(hostile)).toBeUndefined();
    }
  });

  it('gives way to what the hub knows better: an unreachable member, a conflict, an apply error', () => {
    const message = noOperatorMessage(replica(), 'eu-west', at(600), WAIT_MS);
    expect(
      memberEntry(memberView({ replica: replica(), noOperator: message, reachability: { state: 'offline', message: 'down', lastSeen: undefined } }), undefined)
        .phase,
    ).toBe('Offline');
    expect(memberEntry(memberView({ replica: replica(), noOperator: message, conflict: true }), undefined).phase).toBe('Conflict');
    expect(memberEntry(memberView({ replica: replica(), noOperator: message, applyError: 'denied' }), undefined).phase).toBe('Error');
  });

  it('makes its PrometheusCluster Degraded, naming the member', () => {
    const cluster = {
      apiVersion: 'promfleet.io/v1alpha1',
      kind: 'PrometheusCluster',
      metadata: { name: 'cloud', namespace: 'platform', generation: 1 },
      spec: {},
    } as unknown as PrometheusCluster;
    const status = clusterStatus(
      cluster,
      [entryAt(replica(), 600)],
      { records: [], names: [], heldBy: undefined, newer: [], unpublished: [], invalid: [], refused: [], standby: [], failingStatic: undefined },
      at(600),
    );
    expect(status.phase).toBe('Degraded');
    expect(status.conditions?.find((condition) => condition.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'MembersDegraded',
      message: '0/1 members ready; eu-west NoOperator',
    });
  });
});
