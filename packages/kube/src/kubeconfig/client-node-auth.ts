import { KubeConfig as ClientNodeKubeConfig, type User } from '@kubernetes/client-node';

import type { KubeConfig } from './kubeconfig.ts';

/** A client-node config with the same entries as the kit's, whose authenticators run the user's auth plugin. */
export function clientNodeConfig(config: KubeConfig): ClientNodeKubeConfig {
  const delegate = new ClientNodeKubeConfig();
  delegate.loadFromOptions({
    clusters: config.clusters.map((cluster) => ({ ...cluster })),
    users: config.users.map((user) => ({ ...user }) as User),
    contexts: config.contexts.map((context) => ({ ...context, user: context.user ?? '' })),
    currentContext: config.currentContext ?? '',
  });
  return delegate;
}
