import type { KubeConfig as ClientNodeKubeConfig } from '@kubernetes/client-node';

import type { KubeConfig } from './kubeconfig.ts';

// One client-node config per kit config: its exec and OIDC authenticators cache credentials until they expire.
const delegates = new WeakMap<KubeConfig, Promise<ClientNodeKubeConfig>>();

/**
 * The Authorization header an auth plugin (exec, auth-provider) gives for the current user, from
 * client-node's authenticators: client-node is loaded only by the processes whose kubeconfig
 * needs one.
 */
export async function pluginAuthorization(config: KubeConfig): Promise<string | undefined> {
  let delegate = delegates.get(config);
  if (!delegate) {
    delegate = import('./client-node-auth.ts').then(({ clientNodeConfig }) => clientNodeConfig(config));
    delegates.set(config, delegate);
  }
  const options: { headers?: Record<string, string> } = { headers: {} };
  await (await delegate).applyToHTTPSOptions(options as Parameters<ClientNodeKubeConfig['applyToHTTPSOptions']>[0]);
  return options.headers?.Authorization;
}
