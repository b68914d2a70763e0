import { credentialSecretName } from '@promfleet/cli';
import { DEFAULTS, parseMemberKubeconfig } from '@promfleet/api';
import { KubeClient, ResourceClient, Secrets } from '@promfleet/kube/client';
import { KubeConfig } from '@promfleet/kube/kubeconfig';
import type { KitMetrics } from '@promfleet/kube/observability';
import { HUB_NAMESPACE } from '@promfleet/testkit';

import type { BenchFleet, BenchMember } from './bench-fleet.ts';

/**
 * A client per member with the credential `promfleet join` stored in the hub: the member's
 * scoped ServiceAccount token, as the hub itself uses it.
 */
export async function memberClients(bench: BenchFleet, members: readonly BenchMember[], metrics: KitMetrics): Promise<Map<string, KubeClient>> {
  const secrets = new ResourceClient(bench.hub, Secrets);
  const clients = new Map<string, KubeClient>();
  for (const member of members) {
    const secret = await secrets.get(credentialSecretName(member.name), HUB_NAMESPACE);
    const encoded = secret?.data?.[DEFAULTS.kubeconfigKey];
    if (encoded === undefined) throw new Error(`no credential Secret for ${member.name} in the hub`);
    const parsed = parseMemberKubeconfig(Buffer.from(encoded, 'base64').toString('utf8'), member.name);
    if (!parsed.ok) throw new Error(`${member.name}: ${parsed.message}`);
    clients.set(member.name, new KubeClient(KubeConfig.fromOptions(parsed.options), { cluster: member.name, metrics }));
  }
  return clients;
}
