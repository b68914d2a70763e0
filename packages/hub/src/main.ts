import { createLogger, FlagError, formatFlagHelp, KitMetrics, loadKubeConfig, onShutdown, parseFlags } from '@promfleet/kube';

import { HUB_FLAGS, HUB_USAGE } from './flags.ts';
import { createHub } from './hub.ts';

const NAME = 'promfleet-hub';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(HUB_FLAGS, process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    console.error(`${NAME}: ${error.message}`);
    return 2;
  }
  const { flags, help, positional } = parsed;
  if (help) {
    console.log(`${HUB_USAGE}\n${formatFlagHelp(HUB_FLAGS)}`);
    return 0;
  }
  if (positional.length > 0) {
    console.error(`${NAME}: unknown command ${JSON.stringify(positional[0])} (see --help)`);
    return 2;
  }
  const logger = createLogger({ name: NAME, level: flags['log-level'] as never });
  const metrics = new KitMetrics().collectProcessMetrics();
  const hub = createHub({
    kubeConfig: loadKubeConfig({ file: flags.kubeconfig }),
    namespace: flags.namespace,
    watchNamespace: flags['watch-namespace'],
    listen: flags.listen,
    leaderElect: flags['leader-elect'],
    probeIntervalMs: flags['member-probe-interval'],
    offlineAfterMs: flags['member-offline-after'],
    memberTimeoutMs: flags['member-timeout'],
    deletionTimeoutMs: flags['deletion-timeout'],
    concurrency: flags.concurrency,
    logger,
    metrics,
  });
  onShutdown(logger, () => hub.stop());
  await hub.manager.start();
  logger.info({ listen: flags.listen, namespace: flags.namespace }, 'started');
  const reason = await hub.manager.done;
  if (reason === 'lost-leadership') {
    logger.error('exiting after losing the leader lease; a restart campaigns again');
    await hub.stop();
    return 1;
  }
  return 0;
}

process.exitCode = await main();
