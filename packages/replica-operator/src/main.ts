import { readFileSync } from 'node:fs';

import { parseAllowedImagePrefixes } from '@promfleet/api';
import { loadKubeConfig } from '@promfleet/kube/kubeconfig';
import { leaseTiming, runProgram } from '@promfleet/kube/runtime';

import { OPERATOR_FLAGS, OPERATOR_USAGE } from './flags.ts';
import { OPERATOR_NAME } from './names.ts';
import { createReplicaOperator } from './operator.ts';

const IN_CLUSTER_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function defaultLeaseNamespace(watchNamespaces: readonly string[]): string {
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  try {
    return readFileSync(IN_CLUSTER_NAMESPACE, 'utf8').trim();
  } catch {
    return watchNamespaces[0] ?? 'default';
  }
}

process.exitCode = await runProgram({
  name: OPERATOR_NAME,
  flags: OPERATOR_FLAGS,
  usage: OPERATOR_USAGE,
  run: async ({ flags, logger, metrics }) => {
    const images = parseAllowedImagePrefixes(flags['allowed-image-prefixes']);
    if (!images.ok) {
      console.error(`${OPERATOR_NAME}: ${images.message}`);
      return 2;
    }
    const lease = leaseTiming(flags);
    if ('error' in lease) {
      console.error(`${OPERATOR_NAME}: ${lease.error}`);
      return 2;
    }
    const watchNamespaces = [
      ...new Set(
        flags['watch-namespaces']
          .flatMap((value) => value.split(','))
          .map((value) => value.trim())
          .filter(Boolean),
      ),
    ];
    const manager = await createReplicaOperator({
      kubeConfig: loadKubeConfig({ file: flags.kubeconfig }),
      watchNamespaces,
      listen: flags.listen,
      leaderElect: flags['leader-elect'],
      lease,
      leaderElectionNamespace: flags['leader-election-namespace'] ?? defaultLeaseNamespace(watchNamespaces),
      clusterDomain: flags['cluster-domain'],
      ingressClassName: flags['ingress-class'],
      allowedImagePrefixes: images.prefixes,
      secretPollIntervalMs: flags['secret-poll-interval'],
      workers: flags.concurrency,
      logger,
      metrics,
    });
    return manager.run({ watchNamespaces: watchNamespaces.length > 0 ? watchNamespaces : '(all)', allowedImagePrefixes: images.prefixes });
  },
});
