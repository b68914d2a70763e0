import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { Relay, startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { KubeClient, Leases } from '../src/client/index.ts';
import { loadKubeConfig } from '../src/kubeconfig/index.ts';
import { LeaderElector } from '../src/runtime/index.ts';
import { eventually, kitClient, resources } from './helpers.ts';

let fleet: Fleet;
const children: ChildProcess[] = [];
const log: { event: string; identity: string; leader?: string; at: number }[] = [];

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['leader'] });
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

afterAll(async () => {
  await fleet.stop();
});

function campaign(identity: string): ChildProcess {
  const script = fileURLToPath(new URL('./fixtures/elector.ts', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=source', script, fleet.cluster('leader').kubeconfigFile, identity], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  createInterface({ input: child.stdout }).on('line', (line) => log.push(JSON.parse(line) as (typeof log)[number]));
  children.push(child);
  return child;
}

const leaderSince = (identity: string, after: number) => log.find((e) => e.event === 'leading' && e.identity === identity && e.at >= after);
/** `identity` has read the Lease and found `leader` holding it: it has campaigned at least once. */
const sawLeader = (identity: string, leader: string) => log.some((e) => e.event === 'new-leader' && e.identity === identity && e.leader === leader);

/**
 * An elector in this process whose every request goes through a relay (so its answers can be held
 * back), campaigning for its own Lease `promfleet-<identity>`; `stop` ends it and closes all.
 */
async function electorBehindRelay(identity: string): Promise<{
  relay: Relay;
  elector: LeaderElector;
  events: string[];
  stop: () => Promise<void>;
}> {
  const api = new URL(fleet.cluster('leader').server);
  const relay = new Relay(api);
  await relay.open();
  const text = readFileSync(fleet.cluster('leader').kubeconfigFile, 'utf8').replace(api.origin, relay.url);
  const client = new KubeClient(loadKubeConfig({ text }), { cluster: identity, requestTimeoutMs: 15_000 });
  const elector = new LeaderElector({ client, namespace: 'default', name: `promfleet-${identity}`, identity });
  const events: string[] = [];
  const abort = new AbortController();
  const run = elector.run(abort.signal, {
    onStartedLeading: () => events.push('leading'),
    onStoppedLeading: () => events.push('stopped'),
  });
  const stop = async () => {
    relay.answerDelayMs = 0;
    abort.abort();
    await run;
    await client.close();
    await relay.close();
  };
  return { relay, elector, events, stop };
}

describe('leader election between two processes', () => {
  it('hands over within the lease duration when the leader is killed, and within seconds when it stops gracefully', async () => {
    const a = campaign('a');
    await eventually('a leads', () => leaderSince('a', 0) !== undefined, 30_000);
    const b = campaign('b');
    await eventually('b finds a holding the lease', () => sawLeader('b', 'a'), 30_000);
    expect(leaderSince('b', 0), 'b must not lead while a holds the lease').toBeUndefined();

    const killedAt = Date.now();
    a.kill('SIGKILL');
    await eventually('b takes over', () => leaderSince('b', killedAt) !== undefined, 30_000);
    const failover = (leaderSince('b', killedAt)?.at ?? 0) - killedAt;
    console.log(`leader killed with SIGKILL: standby led after ${String(failover)} ms`);
    // Expiry is judged by the standby's clock from when it last saw the record change.
    expect(failover).toBeGreaterThanOrEqual(10_000);

    campaign('c');
    await eventually('c finds b holding the lease', () => sawLeader('c', 'b'), 30_000);
    const stoppedAt = Date.now();
    b.kill('SIGTERM');
    await eventually('c takes over', () => leaderSince('c', stoppedAt) !== undefined, 30_000);
    const handover = (leaderSince('c', stoppedAt)?.at ?? 0) - stoppedAt;
    console.log(`leader stopped gracefully: standby led after ${String(handover)} ms`);
    // Without the release the standby would wait for expiry (15 s).
    expect(handover).toBeLessThan(15_000);
  }, 90_000);

  it('keeps the lease through answers slower than two retry periods, within the renew deadline, as client-go does', async () => {
    const { relay, events, stop } = await electorBehindRelay('slow');
    try {
      await eventually('the elector leads', () => events.includes('leading'), 30_000);
      // Every answer 4.5 s late: more than the two retry periods (4 s) a read used to get, and a
      // renewal (read and write) still inside the 10 s renew deadline.
      relay.answerDelayMs = 4_500;
      await sleep(30_000);
      expect(events).toEqual(['leading']);
    } finally {
      await stop();
    }
  }, 90_000);

  it('stops counting itself leader a lease duration after its renewal was sent, however late the answer comes', async () => {
    const { relay, elector, events, stop } = await electorBehindRelay('late');
    // The Lease as a standby reads it: straight from the API server.
    const { client: direct } = kitClient(fleet.cluster('leader'));
    const leases = resources(direct, Leases);
    const renewTime = async () => (await leases.get('promfleet-late', 'default'))?.spec?.renewTime;
    try {
      await eventually('the elector leads', () => events.includes('leading'), 30_000);
      // Every answer 7 s late: a renewal lands at once, and its answer comes 7 s after.
      relay.answerDelayMs = 7_000;
      const before = String(await renewTime());
      await eventually('a renewal lands', async () => String(await renewTime()) !== before, 30_000);
      const landed = Date.now();
      // A standby that read the Lease as it landed may take it over 15 s later: by then this
      // process must have stopped writing. Counted from the late answer, it would lead until 17 s.
      await sleep(landed + 13_500 - Date.now());
      expect(elector.isLeader()).toBe(true);
      await sleep(landed + 15_500 - Date.now());
      expect(elector.isLeader()).toBe(false);
    } finally {
      await stop();
      await direct.close();
    }
  }, 90_000);
});
