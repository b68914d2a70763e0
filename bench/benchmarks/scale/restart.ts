import { setTimeout as sleep } from 'node:timers/promises';

import type { RecordChanges } from './record-changes.ts';
import { runningHub, untilCurrent, type ScaleContext } from './scale-context.ts';

export interface Restart {
  readonly members: number;
  /** Members whose address moved while the hub was down: the hub is current once it shows them. */
  readonly moved: number;
  /** SIGTERM until the old hub exited. */
  readonly stopMs: number;
  /** Process spawned until it answered /readyz. */
  readonly readyMs: number;
  /** Process spawned until its status was full and current. */
  readonly currentMs: number;
  /** Record changes the moved addresses call for (one per moved member in the DNSEndpoint and in status.endpoints). */
  readonly expectedChanges: number;
  /** Any other change of a record's targets on the way: a record that dropped out, came back, or moved. */
  readonly otherChanges: number;
}

/**
 * A cold restart: SIGTERM to the hub; while it is down, 1 % of the members (at least one) move
 * their address; then a new hub process, timed until its status is full and current again (it
 * shows the moved addresses, and every other member as before). Every change of a DNS record on
 * the way is counted; only the moved members' are called for.
 */
export async function restart(
  context: ScaleContext,
  records: RecordChanges,
  name: string,
  members: number,
  generation: number,
  settleMs: number,
): Promise<Restart> {
  const { bench, writer, observers } = context;
  const moved = bench.members.slice(0, Math.max(1, Math.round(members / 100)));
  await runningHub(context);
  records.start();
  const stopping = performance.now();
  await bench.stopHub();
  const stopMs = performance.now() - stopping;
  for (const member of moved) writer.moveAddress(member.server, member.namespace);
  await observers.replicas.until(
    'moved addresses written',
    (cache, server) =>
      moved
        .filter((member) => member.server === server)
        .every((member) => cache.get(`${member.namespace}/${name}`)?.status?.output?.addresses?.[0] === writer.address(member.namespace)),
    context.timeoutMs,
  );
  const spawned = performance.now();
  await bench.startHub();
  const readyMs = performance.now() - spawned;
  const currentMs = (await untilCurrent(context, name, members, generation)) - spawned;
  // A record that moves after the status is current counts too.
  await sleep(settleMs);
  const changes = records.stop();
  const addresses = new Map(moved.map((member) => [member.name, writer.address(member.namespace)]));
  const expected = changes.filter((change) => change.member !== undefined && change.targets.join(',') === addresses.get(change.member));
  context.log(
    `N=${String(members)} restart: ready after ${String(Math.round(readyMs))} ms, current after ${String(Math.round(currentMs))} ms, ${String(changes.length - expected.length)} other record changes`,
  );
  return { members, moved: moved.length, stopMs, readyMs, currentMs, expectedChanges: expected.length, otherChanges: changes.length - expected.length };
}
