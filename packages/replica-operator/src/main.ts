import { readFileSync } from 'node:fs';

import { createLogger, FlagError, formatFlagHelp, KitMetrics, loadKubeConfig, onShutdown, parseFlags, type Logger } from '@promfleet/kube';

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

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(OPERATOR_FLAGS, process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    console.error(`${OPERATOR_NAME}: ${error.message}`);
    return 2;
  }
  const { flags, help, positional } = parsed;
  if (help) {
    console.log(`${OPERATOR_USAGE}\n${formatFlagHelp(OPERATOR_FLAGS)}`);
    return 0;
  }
  if (positional.length > 0) {
    console.error(`${OPERATOR_NAME}: unexpected argument ${JSON.stringify(positional[0])} (see --help)`);
    return 2;
  }
  const logger: Logger = createLogger({ name: OPERATOR_NAME, level: flags['log-level'] as never });
  const metrics = new KitMetrics().collectProcessMetrics();
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
  const reason = await manager.done;
  if (reason === 'lost-leadership') {
    logger.error('exiting after losing the leader lease; a restart campaigns again');
    await client.close();
    return 1;
  }
  return 0;
}

process.exitCode = await main();
