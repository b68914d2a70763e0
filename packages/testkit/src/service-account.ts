import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, Namespaces, ResourceClient, RoleBindings, Roles, ServiceAccounts, resourceType } from '@promfleet/kube/client';

import type { TestCluster } from './cluster.ts';
import { buildKubeconfig, kubeconfigYAML, toKubeConfig } from './kubeconfig.ts';

export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

/** Rules granted in one namespace (a Role), or across the cluster (a ClusterRole) without one. */
export interface Grant {
  readonly namespace?: string;
  readonly rules: readonly PolicyRule[];
}

export interface ServiceAccountAccess {
  readonly kubeConfig: KubeConfig;
  readonly kubeconfigFile: string;
}

const ClusterRoles = resourceType('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false);
const ClusterRoleBindings = resourceType('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false);

/**
 * A ServiceAccount with exactly these grants (Roles and ClusterRoles, each bound to it), and a
 * kubeconfig with a token of it: for tests that prove a program works with, or is refused
 * beyond, the rights it declares. Namespaces are created when missing.
 */
export async function serviceAccountAccess(
  cluster: TestCluster,
  account: { namespace: string; name: string },
  grants: readonly Grant[],
): Promise<ServiceAccountAccess> {
  const admin = new KubeClient(cluster.kubeConfig, { cluster: cluster.name });
  try {
    const namespaces = new ResourceClient(admin, Namespaces);
    for (const namespace of new Set([account.namespace, ...grants.flatMap((grant) => (grant.namespace ? [grant.namespace] : []))])) {
      if (!(await namespaces.get(namespace))) await namespaces.create({ metadata: { name: namespace } });
    }
    await new ResourceClient(admin, ServiceAccounts).create({ metadata: { name: account.name, namespace: account.namespace } });
    const subjects = [{ kind: 'ServiceAccount', name: account.name, namespace: account.namespace }];
    for (const [index, grant] of grants.entries()) {
      const name = `${account.namespace}-${account.name}-${String(index)}`;
      const rules = grant.rules.map((rule) => ({ ...rule }));
      if (grant.namespace) {
        await new ResourceClient(admin, Roles).create({ metadata: { name, namespace: grant.namespace }, rules } as never);
        await new ResourceClient(admin, RoleBindings).create({
          metadata: { name, namespace: grant.namespace },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
          subjects,
        });
      } else {
        await new ResourceClient(admin, ClusterRoles).create({ metadata: { name }, rules } as never);
        await new ResourceClient(admin, ClusterRoleBindings).create({
          metadata: { name },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
          subjects,
        } as never);
      }
    }
    const { status } = await admin.request<{ status: { token: string } }>({
      verb: 'create',
      method: 'POST',
      resource: 'serviceaccounts',
      path: `/api/v1/namespaces/${account.namespace}/serviceaccounts/${account.name}/token`,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    const config = buildKubeconfig({
      name: `${cluster.name}-${account.namespace}-${account.name}`,
      server: cluster.server,
      ca: cluster.ca,
      user: { token: status.token },
    });
    const kubeconfigFile = join(cluster.dir, `kubeconfig-${account.namespace}-${account.name}.yaml`);
    writeFileSync(kubeconfigFile, kubeconfigYAML(config), { mode: 0o600 });
    return { kubeConfig: toKubeConfig(config), kubeconfigFile };
  } finally {
    await admin.close();
  }
}
