import { FakeClock } from '@promfleet/kube/testing';
import { afterEach, describe, expect, it } from 'vitest';

import { parseFlags } from '@promfleet/kube/flags';

import { HUB_FLAGS } from '../flags.ts';
import { Liveness, nextProbeTime, type ProbeKind } from './liveness.ts';
import { probeTimeoutMs, reviewTimeoutMs } from './member-connection.ts';
import { RollCall } from './roll-call.ts';

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
  const lost: number[] = [];
  let up = true;
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
      return Promise.resolve(options.answer?.(kind) ?? up);
    },
    onSilentChange: (silent) => silence.push({ silent, at: clock.now() }),
    onLost: (probeStartedAt) => lost.push(probeStartedAt),
  });
  const advance = (ms: number) => advanceFrom(clock, ms);
  /** Whether the member answers probes from now on (when no `answer` is given). */
  const answering = (answers: boolean) => {
    up = answers;
  };
  return { clock, liveness, asked, silence, lost, advance, answering };
}

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
});

/** A harness whose Liveness is started, and stopped after the test. */
function started(options: Parameters<typeof harness>[0] = {}) {
  const h = harness(options);
  stop = () => {
    h.liveness.stop();
  };
  h.liveness.start();
  return h;
}

describe('Liveness', () => {
  it('puts a member’s census at its own phase of the interval, and its reviews beside it', async () => {
    expect(nextProbeTime(0, 35 * SECOND, 700)).toBe(700);
    expect(nextProbeTime(699, 35 * SECOND, 700)).toBe(700);
    expect(nextProbeTime(700, 35 * SECOND, 700)).toBe(35_700);
    expect(nextProbeTime(35_699, 35 * SECOND, 700)).toBe(35_700);
    const h = started({ censusOffsetMs: 700 });
    await h.advance(35 * 60 * SECOND);
    expect(h.asked[0]).toEqual({ kind: 'review', at: 0 });
    const later = h.asked.slice(1);
    expect(later.length).toBeGreaterThan(50);
    expect(later.filter((a) => a.kind === 'probe').every((a) => a.at % (35 * SECOND) === 700)).toBe(true);
    // One census probe in every interval, the review at 30 min (jitter 0.5) taking none's place.
    expect(later.filter((a) => a.kind === 'probe')).toHaveLength(60);
    expect(later.filter((a) => a.kind === 'review')).toEqual([{ kind: 'review', at: 30 * 60 * SECOND }]);
  });

  it('reviews at connect, then probes once per interval at the census (multiples of the interval), and reviews every review interval beside it', async () => {
    const h = started();
    await h.advance(10 * 60 * SECOND);
    expect(h.asked[0]).toEqual({ kind: 'review', at: 0 });
    const probes = h.asked.filter((a) => a.kind === 'probe');
    // At 35 s, 70 s, …, 595 s: 17 in ten minutes.
    expect(probes.length).toBe(17);
    expect(probes.slice(0, 3).map((a) => a.at)).toEqual([35 * SECOND, 70 * SECOND, 105 * SECOND]);
    expect(h.silence).toEqual([]);
    await h.advance(25 * 60 * SECOND);
    // Reviewed again 30 min after the first (jitter 0.5), whatever the census; the census probe before it still went out.
    expect(h.asked.filter((a) => a.kind === 'review').map((a) => a.at)).toEqual([0, 30 * 60 * SECOND]);
    const census = nextProbeTime(30 * 60 * SECOND - 1, 35 * SECOND) - 35 * SECOND;
    expect(h.asked).toContainEqual({ kind: 'probe', at: census });
  });

  it('asks a member at every census whatever its watch delivers: one request per interval', async () => {
    const h = started();
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
    const interval = timings.probeIntervalMs;
    // Phases over the whole interval, the first and last (the worst pair) among them.
    const phases = [0, 1, Math.floor(interval / 3), Math.floor(interval / 2), interval - 1];
    for (const cutAfter of phases.keys()) {
      it(`sees a hub cut off from every member whole at ${String(interval / SECOND)} s / ${String(timings.offlineAfterMs / SECOND)} s, cut just after phase ${String(phases[cutAfter])}: the first failure calls the roll, and every probe fails a second before the first member falls silent`, async () => {
        const clock = new FakeClock(0);
        let cut = false;
        const failed = new Map<number, number>();
        const silent = new Map<number, number>();
        const members: { name: string; liveness: Liveness; rollCall: (delayMs: number) => void }[] = [];
        let rollCalls = 0;
        const rollCall = new RollCall({
          now: () => clock.now(),
          members: () => members,
          onRollCall: () => {
            rollCalls++;
          },
        });
        // A probe answers in 10 ms, or hangs its whole timeout once the hub is cut off.
        const connect = (i: number) =>
          new Liveness({
            clock,
            probeIntervalMs: interval,
            censusOffsetMs: phases[i],
            reviewIntervalMs: 30 * 60 * SECOND,
            offlineAfterMs: timings.offlineAfterMs,
            random: () => 0.5,
            probe: (kind) =>
              new Promise<boolean>((resolve) => {
                const hung = cut;
                clock.setTimeout(
                  () => {
                    if (hung && !failed.has(i)) failed.set(i, clock.now());
                    resolve(!hung);
                  },
                  hung ? (kind === 'probe' ? timeoutMs : reviewTimeoutMs(timings)) : 10,
                );
              }),
            onSilentChange: (isSilent) => {
              if (isSilent && !silent.has(i)) silent.set(i, clock.now());
            },
            onLost: (probeStartedAt) => rollCall.lost(probeStartedAt),
          });
        stop = () => {
          for (const member of members) member.liveness.stop();
        };
        // Connected at different moments of the first interval, as members join.
        for (const i of phases.keys()) {
          await advanceFrom(clock, Math.floor(interval / phases.length));
          const liveness = connect(i);
          members.push({
            name: `member-${String(i)}`,
            liveness,
            rollCall: (delayMs) => {
              liveness.rollCall(delayMs);
            },
          });
          liveness.start();
        }
        // Cut off just after a member answered its census: the member whose census comes next has the first deadline.
        await advanceFrom(clock, 3 * interval + (phases[cutAfter] ?? 0) + 20 - clock.now());
        cut = true;
        await advanceFrom(clock, 3 * timings.offlineAfterMs);
        expect(failed.size).toBe(phases.length);
        expect(silent.size).toBe(phases.length);
        const lastFailure = Math.max(...failed.values());
        const firstSilence = Math.min(...silent.values());
        // The margin the reconcile has to see them all: a second.
        expect(firstSilence - lastFailure).toBeGreaterThanOrEqual(990);
        // One roll call: the failures it brought, and the retries after, call no other.
        expect(rollCalls).toBe(1);
      });
    }
  }

  it('calls onLost when a probe fails after an answer, not again while it keeps failing, and again after it answered', async () => {
    const h = started();
    await h.advance(30 * SECOND);
    h.answering(false);
    await h.advance(20 * SECOND);
    // The census probe at 35 s failed (sent at 35 s); its retries at 37, 41 and 49 s failed too.
    expect(h.lost).toEqual([35 * SECOND]);
    h.answering(true);
    await h.advance(60 * SECOND);
    h.answering(false);
    await h.advance(35 * SECOND);
    expect(h.lost).toEqual([35 * SECOND, 140 * SECOND]);
  });

  it('answers a roll call with a probe at its place in the spread, once, and not while a probe is in flight', async () => {
    const h = started();
    await h.advance(10 * SECOND);
    h.liveness.rollCall(300);
    h.liveness.rollCall(100);
    await h.advance(5 * SECOND);
    expect(h.asked.map((a) => `${a.kind}@${String(a.at)}`)).toEqual(['review@0', 'probe@10300']);
    // The census is unmoved.
    await h.advance(25 * SECOND);
    expect(h.asked.map((a) => `${a.kind}@${String(a.at)}`)).toEqual(['review@0', 'probe@10300', 'probe@35000']);
  });

  it('is silent exactly offline-after past the last sign of life, not a probe interval later, and heard from again at the next contact', async () => {
    const h = started();
    await h.advance(50 * SECOND);
    // The last answer: the probe at 32 s. From here on nothing answers.
    h.answering(false);
    h.liveness.contact();
    const lastContact = h.clock.now();
    await h.advance(60 * SECOND);
    expect(h.silence).toEqual([{ silent: true, at: lastContact + 40 * SECOND }]);
    expect(h.liveness.silent).toBe(true);
    h.answering(true);
    h.liveness.contact();
    expect(h.silence.at(-1)).toEqual({ silent: false, at: h.clock.now() });
    // And the deadline is armed again from the new contact.
    await h.advance(200 * SECOND);
    expect(h.silence).toHaveLength(2);
  });

  it('retries a failed probe after 2, 4 and 8 s, and a silent member only at the census', async () => {
    const h = started();
    await h.advance(1 * SECOND);
    h.answering(false);
    await h.advance(100 * SECOND);
    const probes = h.asked.filter((a) => a.kind === 'probe').map((a) => a.at / SECOND);
    // The census probe at 35 s fails; retried at 37 and 41 s — silent from 40 s on, so at the censuses only.
    expect(probes).toEqual([35, 37, 70]);
    expect(h.silence).toEqual([{ silent: true, at: 40 * SECOND }]);
  });

  it('retries a failed review as a review', async () => {
    let fail = 2;
    const h = started({ answer: (kind) => kind !== 'review' || fail-- <= 0 });
    await h.advance(10 * SECOND);
    expect(h.asked.map((a) => `${a.kind}@${String(a.at / SECOND)}`)).toEqual(['review@0', 'review@2', 'review@6']);
  });

  it('probes at once when told the credential was refused, and at expiry even while the member talks', async () => {
    const h = started({ expiresAt: 100 * SECOND });
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
