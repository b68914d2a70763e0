import { ENTRIES, startNodeProcess, type NodeProcess, type Promfleet } from '@promfleet/testkit';

export interface OperatorSupervisor {
  /** `member: exit code` for every exit it restarted after. */
  readonly restarts: readonly string[];
  /** Stops supervising and stops the replacements it started (before `Promfleet.stop`). */
  stop(): Promise<void>;
}

/**
 * What a Deployment's restart policy does for the replica operators: start one again when it
 * exits. The operator exits on purpose when its member's API server is away longer than the
 * Lease's renew deadline (10 s), and a member outage in these suites can last that long.
 * The arguments are the ones `startPromfleet` starts the operators with.
 */
export function superviseOperators(pf: Promfleet): OperatorSupervisor {
  const restarts: string[] = [];
  const replacements: NodeProcess[] = [];
  // Restarts under way: stop() waits for them, or one that comes up after it would outlive the suite.
  const restarting = new Set<Promise<void>>();
  const state = { stopped: false };
  // A function, not a property read: it flips while a start is awaited.
  const stopped = (): boolean => state.stopped;
  const restart = async (member: string, code: number | null): Promise<void> => {
    if (stopped()) return;
    restarts.push(`${member}: ${String(code)}`);
    console.log(`replica operator in ${member} exited with ${String(code)}; starting it again, as its Deployment would`);
    const cluster = pf.members.get(member)?.cluster;
    if (!cluster) return;
    // Like the kubelet's crash-loop back-off: an operator that cannot reach its API server at
    // start exits again, so try until one stays up.
    for (let attempt = 0; !stopped(); attempt++) {
      try {
        const replacement = await startNodeProcess({
          name: `replica-operator-${member}`,
          entry: ENTRIES.replicaOperator,
          args: [`--kubeconfig=${cluster.kubeconfigFile}`, '--leader-election-namespace=default', '--log-level=warn'],
          timeoutMs: 120_000,
        });
        replacements.push(replacement);
        if (!stopped()) watch(member, replacement);
        return;
      } catch {
        restarts.push(`${member}: did not start`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000 * 2 ** attempt, 10_000)));
      }
    }
  };
  const watch = (member: string, operator: NodeProcess): void => {
    void operator.process.exited.then((code) => {
      const restarted = restart(member, code);
      restarting.add(restarted);
      void restarted.finally(() => restarting.delete(restarted));
    });
  };
  for (const [member, { operator }] of pf.members) watch(member, operator);
  return {
    restarts,
    async stop() {
      state.stopped = true;
      await Promise.all(restarting);
      await Promise.all(replacements.map((replacement) => replacement.stop()));
    },
  };
}
