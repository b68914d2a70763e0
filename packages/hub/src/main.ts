import { parseAllowedImagePrefixes } from '@promfleet/api';
import { loadKubeConfig } from '@promfleet/kube/kubeconfig';
import { leaseTiming, onShutdown, runProgram } from '@promfleet/kube/runtime';

import { apiSettings, ApiSettingsError, type ApiSettings } from './api-settings.ts';
import { HUB_FLAGS, HUB_USAGE, memberTimingError, shardingError } from './flags.ts';

const NAME = 'promfleet-hub';

process.exitCode = await runProgram({
  name: NAME,
  flags: HUB_FLAGS,
  usage: HUB_USAGE,
  commands: ['api'],
  run: async ({ flags, command, logger, metrics }) => {
    let api: ApiSettings;
    try {
      api = apiSettings(flags, logger);
    } catch (error) {
      if (!(error instanceof ApiSettingsError)) throw error;
      console.error(`${NAME}: ${error.message}`);
      return 2;
    }
    if (command === 'api') {
      if (!flags['redis-url']) {
        console.error(`${NAME}: api needs --redis-url: it serves the endpoints the hub writes to Redis`);
        return 2;
      }
      // Each mode loads only its own parts: `api` has no Kubernetes client, the controller no Redis unless asked.
      const { startApiServer } = await import('./api-mode.ts');
      const server = await startApiServer({ redisUrl: flags['redis-url'], listen: flags.listen, ...api, logger, metrics });
      onShutdown(logger, () => server.stop());
      logger.info({ listen: flags.listen }, 'serving the endpoints API from Redis');
      // Runs until a signal; onShutdown exits the process.
      return new Promise<number>(() => undefined);
    }
    const images = parseAllowedImagePrefixes(flags['allowed-image-prefixes']);
    if (!images.ok) {
      console.error(`${NAME}: ${images.message}`);
      return 2;
    }
    const lease = leaseTiming(flags);
    if ('error' in lease) {
      console.error(`${NAME}: ${lease.error}`);
      return 2;
    }
    const refused = memberTimingError(flags) ?? shardingError(flags);
    if (refused) {
      console.error(`${NAME}: ${refused}`);
      return 2;
    }
    const { createHub } = await import('./hub.ts');
    const manager = await createHub({
      kubeConfig: loadKubeConfig({ file: flags.kubeconfig }),
      namespace: flags.namespace,
      watchNamespace: flags['watch-namespace'],
      listen: flags.listen,
      leaderElect: flags['leader-elect'],
      lease,
      probeIntervalMs: flags['member-probe-interval'],
      reviewIntervalMs: flags['member-review-interval'],
      offlineAfterMs: flags['member-offline-after'],
      memberTimeoutMs: flags['member-timeout'],
      noOperatorAfterMs: flags['member-no-operator-after'],
      statusBatchWindowMs: flags['status-batch-window'],
      reportWaitMs: flags['report-wait'],
      sharding: { unshardedMembers: flags['unsharded-members'], membersPerShard: flags['members-per-shard'] },
      deletionTimeoutMs: flags['deletion-timeout'],
      concurrency: flags.concurrency,
      allowedImagePrefixes: images.prefixes,
      redisUrl: flags['redis-url'],
      ...api,
      logger,
      metrics,
    });
    return manager.run({ namespace: flags.namespace, store: flags['redis-url'] ? 'redis' : 'memory' });
  },
});
