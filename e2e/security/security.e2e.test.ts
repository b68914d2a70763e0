import { readFileSync } from 'node:fs';

import { MemberClusters, PrometheusClusters } from '@promfleet/api';
import { CoreEvents, ResourceClient } from '@promfleet/kube/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { credentialAttacks } from './credentials.attacks.ts';
import { dnsAttacks } from './dns.attacks.ts';
import { endpointsApiAttacks } from './endpoints-api.attacks.ts';
import { SENTINEL, startSecurityFleet, type SecurityFleet } from './security-fleet.ts';

// The adversarial suite: every attack on the hub's trust boundaries found by the security review
// (issue 15), each test named after the attack and what stops it (docs/security.md lists them).
// One fleet for all: a hub and an API-only replica on TLS with a token, two members, Redis, and
// hostile members run by the tests.

let fleet: SecurityFleet | undefined;
const current = (): SecurityFleet => {
  if (!fleet) throw new Error('the fleet did not start');
  return fleet;
};

beforeAll(async () => {
  fleet = await startSecurityFleet();
});

afterAll(async () => {
  await fleet?.stop();
});

endpointsApiAttacks(current);
credentialAttacks(current);
dnsAttacks(current);

describe('throughout', () => {
  it('crashed nothing, and the healthy PrometheusCluster stayed Ready and published on both members', async () => {
    const f = current();
    await f.monitor.stop();
    expect(f.monitor.rounds).toBeGreaterThan(10);
    expect(f.monitor.violations, f.monitor.violations.join('\n')).toEqual([]);
  });

  it('never let the sentinel token reach a log line, an Event, a condition, a status or a metric', async () => {
    const f = current();
    const places: Record<string, string> = {
      'hub log': readFileSync(f.pf.hubProcess.logFile, 'utf8'),
      'API replica log': readFileSync(f.api.logFile, 'utf8'),
      'hub metrics': (await f.get('hub', '/metrics', {})).body,
      'API replica metrics': (await f.get('api', '/metrics', {})).body,
      Events: JSON.stringify((await new ResourceClient(f.pf.hub, CoreEvents).list()).items),
      MemberClusters: JSON.stringify((await new ResourceClient(f.pf.hub, MemberClusters).list()).items),
      PrometheusClusters: JSON.stringify((await new ResourceClient(f.pf.hub, PrometheusClusters).list()).items),
    };
    // The hostile Secrets were refused, so the sentinel is known to have been in play.
    expect(places.MemberClusters).toContain('sec-pasted');
    expect(
      Object.entries(places)
        .filter(([, text]) => text.includes(SENTINEL))
        .map(([where]) => where),
    ).toEqual([]);
  });
});
