import { startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Informer, type Cache } from '../src/cache/index.ts';
import { ConfigMaps, Leases, NotLeaderError, ResourceClient } from '../src/client/index.ts';
import { KitMetrics, silentLogger } from '../src/observability/index.ts';
import { Manager, type RunnablePhase } from '../src/runtime/index.ts';
import { eventually, kitClient } from './helpers.ts';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['manager'] });
});

afterAll(async () => {
  await fleet.stop();
});

// Short Lease timings, so losing and taking over happen within seconds.
const LEASE = { namespace: 'default', leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };

interface Recorded {
  readonly manager: Manager;
  readonly log: string[];
  readonly cache: Cache;
}

/** A manager with a ConfigMap cache and one runnable per phase, each logging its start and stop. */
function recordedManager(lease: string, identity: string): Recorded {
  const manager = new Manager({
    name: lease,
    kubeConfig: fleet.cluster('manager').kubeConfig,
    cluster: 'manager',
    logger: silentLogger,
    metrics: new KitMetrics(),
    listen: '127.0.0.1:0',
    leaderElection: LEASE,
    identity,
    handleSignals: false,
  });
  const log: string[] = [];
  for (const phase of ['startup', 'running', 'leading'] as const satisfies readonly RunnablePhase[]) {
    manager.addRunnable({ start: () => void log.push(`start ${phase}`), stop: () => void log.push(`stop ${phase}`) }, phase);
  }
  const cache = manager.addCache(new Informer(new ResourceClient(manager.client, ConfigMaps), { namespace: 'default' }));
  return { manager, log, cache };
}

const microTime = (date: Date): string => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

describe('Manager', () => {
  it('runs caches on every replica and leader-only parts on the leader alone; a standby serves but writes nothing, and takes over', async () => {
    const leader = recordedManager('kit-manager-handover', 'leader');
    const standby = recordedManager('kit-manager-handover', 'standby');
    await leader.manager.start();
    await eventually('the first manager leads', () => leader.manager.isLeader() && leader.log.includes('start leading'));
    expect(leader.log[0]).toBe('start startup');
    await standby.manager.start();
    await eventually('the standby cache syncs', () => standby.cache.hasSynced);
    expect(standby.log).toEqual(['start startup', 'start running']);
    expect(standby.manager.isLeader()).toBe(false);
    expect((await fetch(`http://127.0.0.1:${String(standby.manager.port)}/readyz`)).status).toBe(200);
    await expect(new ResourceClient(standby.manager.client, ConfigMaps).create({ metadata: { name: 'refused', namespace: 'default' } })).rejects.toBeInstanceOf(
      NotLeaderError,
    );

    await leader.manager.stop();
    expect(await leader.manager.done).toBe('stopped');
    // Leader-only parts first, then what runs on every replica, in reverse order of start.
    expect(leader.log.slice(-3)).toEqual(['stop leading', 'stop running', 'stop startup']);
    // The leader released the Lease: the standby takes over at its next retry, not after expiry.
    await eventually('the standby leads', () => standby.manager.isLeader() && standby.log.includes('start leading'), 10_000);
    await standby.manager.stop();
  });

  it('run() tears everything down and resolves 1 once the Lease is lost, so the process exits and campaigns again after a restart', async () => {
    const { manager, log, cache } = recordedManager('kit-manager-lost', 'victim');
    const exitCode = manager.run();
    await eventually('the manager leads', () => manager.isLeader() && cache.hasSynced);
    const port = manager.port;
    const { client: admin } = kitClient(fleet.cluster('manager'));
    try {
      // Someone else holds the Lease now: renewals fail until the renew deadline passes.
      await new ResourceClient(admin, Leases).patch(
        'kit-manager-lost',
        'default',
        { spec: { holderIdentity: 'thief', leaseDurationSeconds: 60, renewTime: microTime(new Date()) } },
        { type: 'merge' },
      );
      expect(await exitCode).toBe(1);
    } finally {
      await admin.close();
    }
    expect(log.slice(-3)).toEqual(['stop leading', 'stop running', 'stop startup']);
    expect(manager.isLeader()).toBe(false);
    expect(manager.signal.aborted).toBe(true);
    await expect(fetch(`http://127.0.0.1:${String(port)}/healthz`)).rejects.toThrow();
    await expect(new ResourceClient(manager.client, ConfigMaps).list({ namespace: 'default' })).rejects.toThrow();
  });

  it('run() resolves 0 when stopped', async () => {
    const { manager } = recordedManager('kit-manager-stopped', 'stopped');
    const exitCode = manager.run();
    await eventually('the manager leads', () => manager.isLeader());
    await manager.stop();
    expect(await exitCode).toBe(0);
  });
});
