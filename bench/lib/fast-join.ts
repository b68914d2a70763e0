import { buildMemberKubeconfig, MemberClusters } from '@promfleet/api';
import { Namespaces, ResourceClient, RoleBindings, Roles, Secrets, ServiceAccounts, type KubeClient } from '@promfleet/kube/client';
import { HUB_NAMESPACE, type TestCluster } from '@promfleet/testkit';

// join's own object builders and token steps: @promfleet/cli exports only `join` itself. Once it
// exports them, these become imports from '@promfleet/cli'.
import { credentialSecret, memberCluster, role, roleBinding, serviceAccount } from '../../packages/cli/src/join/objects.ts';
import { DEFAULT_TOKEN_TTL_SECONDS } from '../../packages/cli/src/join/options.ts';
import { StepLog } from '../../packages/cli/src/progress.ts';
import { createTokenBinding } from '../../packages/cli/src/join/token-binding.ts';
import { requestToken } from '../../packages/cli/src/join/token.ts';

export interface Registration {
  readonly name: string;
  /** The member's namespace, created here. */
  readonly namespace: string;
  readonly admin: KubeClient;
  readonly cluster: TestCluster;
  readonly hub: KubeClient;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * What `promfleet join --namespace` leaves behind, written directly with the objects join builds:
 * the namespace, the credential (ServiceAccount, Role, RoleBinding, a token bound to a Secret of
 * its own) in the member, then the credential Secret and MemberCluster in the hub. Join also
 * checks the CRDs, reads what exists and verifies the credential with access reviews (about
 * twenty requests a member); this is eight, for fleets of a thousand members. The credential is
 * the same one, so the hub sees no difference.
 */
export async function registerMember(registration: Registration): Promise<void> {
  const { name, namespace, admin, cluster, hub, labels } = registration;
  await new ResourceClient(admin, Namespaces).create({ metadata: { name: namespace } });
  const account = await new ResourceClient(admin, ServiceAccounts).create(serviceAccount(name, namespace));
  await Promise.all([
    new ResourceClient(admin, Roles).create(role(name, namespace)),
    new ResourceClient(admin, RoleBindings).create(roleBinding(name, namespace)),
  ]);
  const binding = await createTokenBinding(admin, name, namespace, account.metadata?.uid ?? '', new StepLog(undefined));
  const token = await requestToken(admin, namespace, DEFAULT_TOKEN_TTL_SECONDS, binding);
  const kubeconfig = buildMemberKubeconfig({ member: name, server: admin.server, ca: cluster.ca, token, namespace });
  await new ResourceClient(hub, Secrets).create(credentialSecret(name, HUB_NAMESPACE, kubeconfig));
  await new ResourceClient(hub, MemberClusters).create(memberCluster(name, { hubNamespace: HUB_NAMESPACE, namespace, labels }));
}
