import { FakeClock } from '@promfleet/kube/testing';
import { afterEach, describe, expect, it } from 'vitest';

import { Liveness, MAX_PROOF_AGE_MS, type ProbeKind } from './liveness.ts';

const SECOND = 1_000;

/** A Liveness on a fake clock whose probes answer at once with what `answer` says, recording what it was asked. */
function harness(options: { answer?: (kind: ProbeKind) => boolean; expiresAt?: number } = {}) {
  const clock = new FakeClock(0);
  const asked: { kind: ProbeKind; at: number }[] = [];
  const silence: { silent: boolean; at: number }[] = [];
  const liveness = new Liveness({
    clock,
    probeIntervalMs: 32 * SECOND,
    reviewIntervalMs: 30 * 60 * SECOND,
    offlineAfterMs: 40 * SECOND,
    expiresAt: options.expiresAt,
    random: () => 0.5,
    probe: (kind) => {
      asked.push({ kind, at: clock.now() });
      return Promise.resolve(options.answer?.(kind) ?? true);
    },
    onSilentChange: (silent) => silence.push({ silent, at: clock.now() }),
  });
  /** Advances from timer to timer, letting each probe's promise settle before time moves on. */
  const advance = async (ms: number): Promise<void> => {
    const end = clock.now() + ms;
    for (;;) {
      const next = clock.nextDueAt();
      clock.advance(Math.max(0, Math.min(next ?? end, end) - clock.now()));
      for (let i = 0; i < 5; i++) await Promise.resolve();
      if (next === undefined || next >= end) break;
    }
  };
  return { clock, liveness, asked, silence, advance };
}

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
});

describe('Liveness', () => {
  it('reviews at connect, then probes a quiet member once per probe interval and reviews at the review interval', async () => {
    const h = harness();
    stop = () => {
      h.liveness.stop();
    };
    h.liveness.start();
    await h.advance(10 * 60 * SECOND);
    expect(h.asked[0]).toEqual({ kind: 'review', at: 0 });
    const probes = h.asked.filter((a) => a.kind === 'probe');
    // One every 32 s after the last answer: 600 / 32 = 18.
    expect(probes.length).toBe(18);
    expect(probes.slice(0, 3).map((a) => a.at)).toEqual([32 * SECOND, 64 * SECOND, 96 * SECOND]);
    expect(h.silence).toEqual([]);
    await h.advance(25 * 60 * SECOND);
    // Reviewed again after 30 min (jitter 0.5 → exactly 30 min), in place of a probe.
    expect(h.asked.filter((a) => a.kind === 'review').map((a) => a.at)).toEqual([0, 30 * 60 * SECOND]);
  });

  it('does not probe a member it hears from within the probe interval (a watch delivering)', async () => {
    const h = harness();
    stop = () => {
      h.liveness.stop();
    };
    h.liveness.start();
    for (let t = 0; t < 4 * 60; t += 20) {
      await h.advance(20 * SECOND);
      h.liveness.contact();
    }
    expect(h.asked.map((a) => a.kind)).toEqual(['review']);
    expect(h.silence).toEqual([]);
  });

  it('still asks a member that talks all the time to prove its authorization every few minutes', async () => {
    const h = harness();
    stop = () => {
      h.liveness.stop();
    };
    h.liveness.start();
    for (let t = 0; t < 11 * 60; t += 10) {
      await h.advance(10 * SECOND);
      h.liveness.contact();
    }
    expect(h.asked.filter((a) => a.kind === 'probe').map((a) => a.at)).toEqual([MAX_PROOF_AGE_MS, 2 * MAX_PROOF_AGE_MS]);
  });

  it('is silent exactly offline-after past the last sign of life, not a probe interval later, and heard from again at the next contact', async () => {
    let up = true;
    const h = harness({ answer: () => up });
    stop = () => {
      h.liveness.stop();
    };
    h.liveness.start();
    await h.advance(50 * SECOND);
    // The last answer: the probe at 32 s. From here on nothing answers.
    up = false;
    h.liveness.contact();
    const lastContact = h.clock.now();
    await h.advance(60 * SECOND);
    expect(h.silence).toEqual([{ silent: true, at: lastContact + 40 * SECOND }]);
    expect(h.liveness.silent).toBe(true);
    up = true;
    h.liveness.contact();
    expect(h.silence.at(-1)).toEqual({ silent: false, at: h.clock.now() });
    // And the deadline is armed again from the new contact.
    await h.advance(200 * SECOND);
    expect(h.silence).toHaveLength(2);
  });

  it('retries a failed probe after 2, 4 and 8 s, then at the probe interval', async () => {
    let up = true;
    const h = harness({ answer: () => up });
    stop = () => {
      h.liveness.stop();
    };
    h.liveness.start();
    await h.advance(1 * SECOND);
    up = false;
    await h.advance(100 * SECOND);
    const probes = h.asked.filter((a) => a.kind === 'probe').map((a) => a.at / SECOND);
    // First probe at 32 s fails; retries at 34, 38, 46 (silent from 40 s on), then every 32 s.
    expect(probes).toEqual([32, 34, 38, 46, 78]);
    expect(h.silence).toEqual([{ silent: true, at: 40 * SECOND }]);
  });

  it('retries a failed review as a review', async () => {
    let fail = 2;
    const h = harness({ answer: (kind) => kind !== 'review' || fail-- <= 0 });
    stop = () => {
      h.liveness.stop();
    };
    h.liveness.start();
    await h.advance(10 * SECOND);
    expect(h.asked.map((a) => `${a.kind}@${String(a.at / SECOND)}`)).toEqual(['review@0', 'review@2', 'review@6']);
  });

  it('probes at once when told the credential was refused, and at expiry even while the member talks', async () => {
    const h = harness({ expiresAt: 100 * SECOND });
    stop = () => {
      h.liveness.stop();
    };
    h.liveness.start();
    await h.advance(5 * SECOND);
    h.liveness.suspect();
    await h.advance(1 * SECOND);
    expect(h.asked.map((a) => `${a.kind}@${String(a.at / SECOND)}`)).toEqual(['review@0', 'probe@5']);
    for (let t = 0; t < 120; t += 10) {
      await h.advance(10 * SECOND);
      h.liveness.contact();
    }
    expect(h.asked.map((a) => `${a.kind}@${String(a.at / SECOND)}`)).toEqual(['review@0', 'probe@5', 'probe@100']);
  });

  it('stops: no timer left', async () => {
    const h = harness();
    h.liveness.start();
    await h.advance(1 * SECOND);
    h.liveness.stop();
    expect(h.clock.pendingTimers()).toBe(0);
  });
});
