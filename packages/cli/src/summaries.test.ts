import { describe, expect, it } from 'vitest';

import { summarizeJoin } from './commands/join.ts';
import { summarizeUnjoin } from './commands/unjoin.ts';
import type { JoinResult } from './join/join.ts';
import { formatStep, type Step } from './progress.ts';

const steps: Step[] = [
  { scope: 'member', subject: 'ServiceAccount monitoring/promfleet-hub', outcome: 'created' },
  {
    scope: 'member',
    subject: 'token for ServiceAccount monitoring/promfleet-hub',
    outcome: 'issued',
    detail: 'the hub has no token yet; expires 2026-06-01T00:00:00.000Z',
  },
  { scope: 'hub', subject: 'MemberCluster eu-west', outcome: 'unchanged' },
];

describe('progress lines', () => {
  it('name the cluster, the object and what happened', () => {
    expect(steps.map((step) => formatStep(step, 'eu-west'))).toEqual([
      '[member eu-west] ServiceAccount monitoring/promfleet-hub: created',
      '[member eu-west] token for ServiceAccount monitoring/promfleet-hub: issued (the hub has no token yet; expires 2026-06-01T00:00:00.000Z)',
      '[hub] MemberCluster eu-west: unchanged',
    ]);
  });
});

describe('summaries', () => {
  const result: JoinResult = {
    name: 'eu-west',
    namespace: 'monitoring',
    hubNamespace: 'promfleet-system',
    server: 'https://eu.example.com',
    token: 'issued',
    revokedTokens: 0,
    tokenExpiresAt: new Date('2026-06-01T00:00:00Z'),
    steps,
    changed: true,
  };

  it('count what join did', () => {
    expect(summarizeJoin(result)).toBe(
      'joined eu-west (1 created, 0 updated, 1 unchanged, token issued): the hub manages PrometheusReplicas in eu-west/monitoring as promfleet-hub@eu-west, and nothing else (token expires 2026-06-01T00:00:00.000Z)',
    );
    expect(summarizeJoin({ ...result, revokedTokens: 1 })).toMatch(
      /^joined eu-west \(1 created, 0 updated, 1 unchanged, token issued, 1 earlier token revoked\): /,
    );
    expect(summarizeJoin({ ...result, changed: false, token: 'kept' })).toMatch(/^eu-west is joined, nothing changed: /);
  });

  it('group what unjoin left behind by reason', () => {
    const reason = 'member unreachable at https://eu.example.com';
    expect(
      summarizeUnjoin({
        name: 'eu-west',
        namespace: 'monitoring',
        removed: ['MemberCluster eu-west', 'Secret promfleet-system/member-eu-west'],
        absent: [],
        leftBehind: [
          { object: 'RoleBinding monitoring/promfleet-hub', kind: 'unreachable', reason },
          { object: 'Role monitoring/promfleet-hub', kind: 'unreachable', reason },
        ],
        steps: [],
      }),
    ).toBe(`unjoined eu-west: removed 2 objects\n${reason}: left RoleBinding monitoring/promfleet-hub, Role monitoring/promfleet-hub\n`);
  });
});
