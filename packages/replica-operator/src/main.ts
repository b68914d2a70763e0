import { readFileSync } from 'node:fs';

import { loadKubeConfig, onShutdown, runProgram } from '@promfleet/kube';

import { OPERATOR_FLAGS, OPERATOR_USAGE } from './flags.ts';
import { OPERATOR_NAME } from './names.ts';
import { createReplicaOperator } from './operator.ts';

const IN_CLUSTER_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function defaultLeaseNamespace(watchNamespace: string | undefined): string {
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  try {
    return readFileSync(IN_CLUSTER_NAMESPACE, 'utf8').trim();
  } catch {
    return watchNamespace ?? 'default';
  }
}

process.exitCode = await runProgram({
  name: OPERATOR_NAME,
  flags: OPERATOR_FLAGS,
  usage: OPERATOR_USAGE,
  run: async ({ flags, logger, metrics }) => {
    const { manager, client } = await createReplicaOperator({
      kubeConfig: loadKubeConfig({ file: flags.kubeconfig }),
      watchNamespace: flags['watch-namespace'],
      listen: flags.listen,
      leaderElect: flags['leader-elect'],
      leaderElectionNamespace: flags['leader-election-namespace'] ?? defaultLeaseNamespace(flags['watch-namespace']),
      clusterDomain: flags['cluster-domain'],
      ingressClassName: flags['ingress-class'],
      workers: flags.concurrency,
      logger,
      metrics,
    });
    onShutdown(logger, async () => {
      await manager.stop();
      await client.close();
    });
    await manager.start();
    logger.info({ listen: flags.listen, watchNamespace: flags['watch-namespace'] ?? '(all)' }, 'started');
    if ((await manager.done) === 'stopped') return 0;
    logger.error('exiting after losing the leader lease; a restart campaigns again');
    // Caches, their retry timers and the HTTP server too: anything left running would keep the
    // process alive, useless and unrestarted.
    await manager.stop();
    await client.close();
    return 1;
  },
});
