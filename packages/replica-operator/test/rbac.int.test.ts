import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Namespaces, type KubeClient, ResourceClient, resourceType, ServiceAccounts } from '@promfleet/kube';
import { buildKubeconfig, installCRDs, kubeconfigYAML, startFleet, type Fleet, type TestCluster } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OPERATOR_RULES } from '../src/rbac.ts';
import { createRegionInputs, replica, startOperator, testClient, waitForPhase, type OperatorProcess, type TestClient } from './harness.ts';

const ClusterRoles = resourceType('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false);
const ClusterRoleBindings = resourceType('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false);

let fleet: Fleet;
let api: TestClient;
let operator: OperatorProcess | undefined;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['member'], controllerManager: true });
  await installCRDs(fleet.cluster('member'));
  api = testClient(fleet.cluster('member'));
});

afterAll(async () => {
  await operator?.stop();
  await api.client.close();
  await fleet.stop();
});

/** A kubeconfig for a ServiceAccount bound to exactly the operator's ClusterRole. */
async function operatorKubeconfig(cluster: TestCluster, client: KubeClient): Promise<string> {
  await new ResourceClient(client, Namespaces).create({ metadata: { name: 'promfleet-system' } });
  await new ResourceClient(client, ServiceAccounts).create({ metadata: { name: 'promfleet-replica-operator', namespace: 'promfleet-system' } });
  await new ResourceClient(client, ClusterRoles).create({ metadata: { name: 'promfleet-replica-operator' }, rules: OPERATOR_RULES } as never);
  await new ResourceClient(client, ClusterRoleBindings).create({
    metadata: { name: 'promfleet-replica-operator' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'promfleet-replica-operator' },
    subjects: [{ kind: 'ServiceAccount', name: 'promfleet-replica-operator', namespace: 'promfleet-system' }],
  } as never);
  const { status } = await client.request<{ status: { token: string } }>({
    verb: 'create',
    method: 'POST',
    path: '/api/v1/namespaces/promfleet-system/serviceaccounts/promfleet-replica-operator/token',
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  const file = join(mkdtempSync(join(tmpdir(), 'promfleet-rbac-')), 'kubeconfig');
  writeFileSync(file, kubeconfigYAML(buildKubeconfig({ name: `operator-sa-${fleet.id}`, server: cluster.server, ca: cluster.ca, user: { token: status.token } })));
  return file;
}

describe('the operator RBAC', () => {
  it('is enough to run the operator end to end', async () => {
    const cluster = fleet.cluster('member');
    const kubeconfig = await operatorKubeconfig(cluster, api.client);
    await createRegionInputs(api.client, 'rbac');
    operator = await startOperator(kubeconfig, ['--leader-election-namespace=promfleet-system']);
    await api.replicas.create(replica('demo', 'rbac', { highlyAvailable: true, baseDomain: 'prometheus.example.com', grafana: { enabled: true } }));
    const running = await waitForPhase(api, 'rbac', 'demo', 'Running');
    expect(running.status?.readyPods).toBe('6/6');
    expect(operator.process.logTail()).not.toContain('forbidden');
  });
});
