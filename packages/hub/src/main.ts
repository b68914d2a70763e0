import { createLogger, FlagError, formatFlagHelp, KitMetrics, loadKubeConfig, onShutdown, parseFlags } from '@promfleet/kube';

import { startApiServer } from './api-mode.ts';
import { tokenFromFile } from './endpoints/token-file.ts';
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
  const [command, ...rest] = positional;
  if ((command !== undefined && command !== 'api') || rest.length > 0) {
    console.error(`${NAME}: unknown command ${JSON.stringify(command)} (see --help)`);
    return 2;
  }
  const logger = createLogger({ name: NAME, level: flags['log-level'] as never });
  const metrics = new KitMetrics().collectProcessMetrics();
  const apiToken = flags['api-token-file'] ? tokenFromFile(flags['api-token-file']) : undefined;

  if (command === 'api') {
    if (!flags['redis-url']) {
      console.error(`${NAME}: api needs --redis-url: it serves the endpoints the hub writes to Redis`);
      return 2;
    }
    const server = await startApiServer({ redisUrl: flags['redis-url'], listen: flags.listen, apiToken, logger, metrics });
    onShutdown(logger, () => server.stop());
    logger.info({ listen: flags.listen }, 'serving the endpoints API from Redis');
    return new Promise<number>(() => undefined);
  }

  const hub = await createHub({
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
    redisUrl: flags['redis-url'],
    apiToken,
    logger,
    metrics,
  });
  onShutdown(logger, () => hub.stop());
  await hub.start();
  logger.info({ listen: flags.listen, namespace: flags.namespace, store: flags['redis-url'] ? 'redis' : 'memory' }, 'started');
  const reason = await hub.manager.done;
  if (reason === 'lost-leadership') {
    logger.error('exiting after losing the leader lease; a restart campaigns again');
    await hub.stop();
    return 1;
  }
  return 0;
}

process.exitCode = await main();
