import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where the kernel picks ports for `listen(0)` and for the source port of every outgoing connection. */
export interface PortRange {
  readonly low: number;
  readonly high: number;
}

const LINUX_DEFAULT_EPHEMERAL: PortRange = { low: 32768, high: 60999 };
/** Below this sit the ports daemons are configured with (6379, 9090, 8080, ...). */
const LOWEST_CHOSEN_PORT = 10_000;
const PICKS_BEFORE_FALLBACK = 64;

/** The kernel's ephemeral range, from /proc; Linux's default where that cannot be read. */
export function ephemeralPortRange(procFile = '/proc/sys/net/ipv4/ip_local_port_range'): PortRange {
  try {
    const [low, high] = readFileSync(procFile, 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high) && low <= high) return { low, high };
  } catch {
    // not Linux, or /proc is not mounted
  }
  return LINUX_DEFAULT_EPHEMERAL;
}

/**
 * The ports `freePort` chooses from: between the daemons' ports and the kernel's ephemeral
 * range. A port from the ephemeral range, free when checked, can become some connection's source
 * port before the server we start binds it; hundreds of connections a second open and close
 * while tests run in parallel, and that once failed a kube-apiserver's start ("bind: address
 * already in use"). Below the range, only another caller choosing the same port in the same
 * instant can take it. Undefined when the range leaves no room below it.
 */
export function chosenPortRange(ephemeral: PortRange = ephemeralPortRange()): PortRange | undefined {
  const high = ephemeral.low - 1;
  return high - LOWEST_CHOSEN_PORT >= 1000 ? { low: LOWEST_CHOSEN_PORT, high } : undefined;
}

/**
 * A loopback port that is free right now, outside the kernel's ephemeral range where it can.
 * Another process may still take it before we bind it, so callers that start servers retry with
 * a new port when the server fails to listen.
 */
export async function freePort(range: PortRange | undefined = chosenPortRange()): Promise<number> {
  if (range) {
    for (let pick = 0; pick < PICKS_BEFORE_FALLBACK; pick++) {
      const port = range.low + Math.floor(Math.random() * (range.high - range.low + 1));
      if ((await bindAndRelease(port)) !== undefined) return port;
    }
  }
  const port = await bindAndRelease(0);
  if (port === undefined) throw new Error('could not allocate a loopback port');
  return port;
}

/** Binds 127.0.0.1:port, closes it again, and says which port it was; undefined when it was taken. */
async function bindAndRelease(port: number): Promise<number | undefined> {
  const server = createServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => {
      resolve(false);
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      resolve(true);
    });
  });
  if (!bound) return undefined;
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return address === null || typeof address === 'string' ? undefined : address.port;
}

/** A server exited because its port was taken between `freePort` and its bind: start again on another. */
export class PortInUseError extends Error {}

/** Whether a server's exit came from its port being taken, judging by the last lines it logged. */
export function exitedForTakenPort(running: boolean, logTail: string): boolean {
  return !running && /address already in use/i.test(logTail);
}
