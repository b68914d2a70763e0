import { FakeClock } from '@promfleet/kube/testing';
import { afterEach, describe, expect, it } from 'vitest';

import { parseFlags } from '@promfleet/kube/flags';

import { HUB_FLAGS } from '../flags.ts';
import { CENSUS_SPREAD_MS, Liveness, nextProbeTime, type ProbeKind } from './liveness.ts';
import { probeTimeoutMs } from './member-connection.ts';

const SECOND = 1_000;

/** Advances from timer to timer, letting each probe's promise settle before time moves on. */
async function advanceFrom(clock: FakeClock, ms: number): Promise<void> {
  const end = clock.now() + ms;
  for (;;) {
    const next = clock.nextDueAt();
    clock.advance(Math.max(0, Math.min(next ?? end, end) - clock.now()));
    for (let i = 0; i < 5; i++) await Promise.resolve();
    if (next === undefined || next >= end) break;
  }
}

/** A Liveness on a fake clock whose probes answer at once with what `answer` says, recording what it was asked. */
function harness(options: { answer?: (kind: ProbeKind) => boolean; expiresAt?: number; censusOffsetMs?: number } = {}) {
  const clock = new FakeClock(0);
  const asked: { kind: ProbeKind; at: number }[] = [];
  const silence: { silent: boolean; at: number }[] = [];
  const liveness = new Liveness({
    clock,
    probeIntervalMs: 35 * SECOND,
    censusOffsetMs: options.censusOffsetMs,
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
  const advance = (ms: number) => advanceFrom(clock, ms);
  return { clock, liveness, asked, silence, advance };
}

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
});

describe('Liveness', () => {
  it('puts a member’s census at its own offset after each multiple of the interval, reviews included', async () => {
    expect(nextProbeTime(0, 35 * SECOND, 700)).toBe(700);
    expect(nextProbeTime(699, 35 * SECOND, 700)).toBe(700);
    expect(nextProbeTime(700, 35 * SECOND, 700)).toBe(35_700);
    expect(nextProbeTime(35_699, 35 * SECOND, 700)).toBe(35_700);
    const h = harness({ censusOffsetMs: 700 });
    stop = () => {
      h.liveness.stop();
    };
    h.liveness.start();
    await h.advance(35 * 60 * SECOND);
    expect(h.asked[0]).toEqual({ kind: 'review', at: 0 });
    const later = h.asked.slice(1);
    expect(later.length).toBeGreaterThan(50);
    expect(later.every((a) => a.at % (35 * SECOND) === 700)).toBe(true);
    expect(later.filter((a) => a.kind === 'review').length).toBe(1);
  });

  it('reviews at connect, then probes once per interval at the census (multiples of the interval), and reviews in place of a census probe', async () => {
    const h = harness();
    stop = () => {
      h.liveness.stop();
    };
    h.liveness.start();
    await h.advance(10 * 60 * SECOND);
    expect(h.asked[0]).toEqual({ kind: 'review', at: 0 });
    const probes = h.asked.filter((a) => a.kind === 'probe');
    // At 35 s, 70 s, …, 595 s: 17 in ten minutes.
    expect(probes.length).toBe(17);
    expect(probes.slice(0, 3).map((a) => a.at)).toEqual([35 * SECOND, 70 * SECOND, 105 * SECOND]);
    expect(h.silence).toEqual([]);
    await h.advance(25 * 60 * SECOND);
    // Reviewed again at the first census after 30 min (jitter 0.5 → exactly 30 min), in place of its probe.
    const review = nextProbeTime(30 * 60 * SECOND, 35 * SECOND);
    expect(h.asked.filter((a) => a.kind === 'review').map((a) => a.at)).toEqual([0, review]);
    expect(h.asked.filter((a) => a.at === review)).toHaveLength(1);
  });

  it('asks a member at every census whatever its watch delivers: one request per interval, at the same moments as every other member', async () => {
    const h = harness();
    stop = () => {
      h.liveness.stop();
    };
    h.liveness.start();
    for (let t = 0; t < 4 * 60; t += 10) {
      await h.advance(10 * SECOND);
      h.liveness.contact();
    }
    expect(h.asked.filter((a) => a.kind === 'probe').map((a) => a.at / SECOND)).toEqual([35, 70, 105, 140, 175, 210]);
    expect(h.silence).toEqual([]);
  });

  const { flags } = parseFlags(HUB_FLAGS, [], {});
  const defaults = {
    probeIntervalMs: flags['member-probe-interval'],
    offlineAfterMs: flags['member-offline-after'],
    requestTimeoutMs: flags['member-timeout'],
  };

  for (const timings of [defaults, { probeIntervalMs: 2 * SECOND, offlineAfterMs: 6 * SECOND, requestTimeoutMs: 10 * SECOND }]) {
    const timeoutMs = probeTimeoutMs(timings);
    it(`sees a hub cut off from every member whole at ${String(timings.probeIntervalMs / SECOND)} s / ${String(timings.offlineAfterMs / SECOND)} s: every census probe, the last of the spread, fails a second before the first member falls silent`, async () => {
      const clock = new FakeClock(0);
      let cut = false;
      const failed = new Map<number, number>();
      const silent = new Map<number, number>();
      // The first and last offsets of the census's spread (the worst pair), and some between.
      const offsets = [0, 1, Math.floor(CENSUS_SPREAD_MS / 3), Math.floor(CENSUS_SPREAD_MS / 2), CENSUS_SPREAD_MS - 1];
      // A probe answers in 10 ms, or hangs its whole timeout once the hub is cut off.
      const connect = (i: number) =>
        new Liveness({
          clock,
          probeIntervalMs: timings.probeIntervalMs,
          censusOffsetMs: offsets[i],
          reviewIntervalMs: 30 * 60 * SECOND,
          offlineAfterMs: timings.offlineAfterMs,
          random: () => 0.5,
          probe: () =>
            new Promise<boolean>((resolve) => {
              const hung = cut;
              clock.setTimeout(
                () => {
                  if (hung && !failed.has(i)) failed.set(i, clock.now());
                  resolve(!hung);
                },
                hung ? timeoutMs : 10,
              );
            }),
          onSilentChange: (isSilent) => {
            if (isSilent && !silent.has(i)) silent.set(i, clock.now());
          },
        });
      const members: Liveness[] = [];
      stop = () => {
        for (const liveness of members) liveness.stop();
      };
      // Connected at different moments of the first interval, as members join: the census lines them up.
      for (const i of offsets.keys()) {
        await advanceFrom(clock, Math.floor(timings.probeIntervalMs / offsets.length));
        const liveness = connect(i);
        members.push(liveness);
        liveness.start();
      }
      // Cut off just after the last member answered a census: the first member's deadline is as early as it gets.
      await advanceFrom(clock, 3 * timings.probeIntervalMs + CENSUS_SPREAD_MS + 20 - clock.now());
      cut = true;
      await advanceFrom(clock, 3 * timings.offlineAfterMs);
      expect(failed.size).toBe(offsets.length);
      expect(silent.size).toBe(offsets.length);
      const lastFailure = Math.max(...failed.values());
      const firstSilence = Math.min(...silent.values());
      // The margin the reconcile has to see them all: a second.
      expect(firstSilence - lastFailure).toBeGreaterThanOrEqual(990);
    });
  }

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

  it('retries a failed probe after 2, 4 and 8 s, and a silent member only at the census', async () => {
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
    // The census probe at 35 s fails; retried at 37 and 41 s — silent from 40 s on, so at the censuses only.
    expect(probes).toEqual([35, 37, 70]);
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
    expect(h.asked.map((a) => `${a.kind}@${String(a.at / SECOND)}`)).toEqual(['review@0', 'probe@5', 'probe@35', 'probe@70', 'probe@100', 'probe@105']);
  });

  it('stops: no timer left', async () => {
    const h = harness();
    h.liveness.start();
    await h.advance(1 * SECOND);
    h.liveness.stop();
    expect(h.clock.pendingTimers()).toBe(0);
  });
});
