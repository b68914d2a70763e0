import { serviceAccountAccess, startFleet, installCRDs, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OPERATOR_LEASE_RULES, OPERATOR_RULES } from '../src/rbac.ts';
import { createRegionInputs, eventually, replica, startOperator, testClient, waitForPhase, type OperatorProcess, type TestClient } from './harness.ts';

// The operator run with a ServiceAccount holding exactly its declared rules: as the chart
// installs it by default (a Role in each watched namespace), and cluster-wide (a ClusterRole).
let fleet: Fleet;
let api: TestClient;
let operator: OperatorProcess | undefined;

const LEASE_NAMESPACE = 'promfleet-system';
const lease = { namespace: LEASE_NAMESPACE, rules: OPERATOR_LEASE_RULES };

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

// Everything a replica can make the operator do: HA, Ingress with TLS, Grafana (its Secret
// generated), Prometheus discovery RBAC, NetworkPolicies.
const everything = {
  highlyAvailable: true,
  baseDomain: 'prometheus.example.com',
  grafana: { enabled: true },
  ingress: { tls: {} },
  kubernetesDiscovery: true,
  networkPolicy: { enabled: true },
};

describe('the operator RBAC', () => {
  it('with a Role in each watched namespace, is enough to run replicas there end to end, and replicas elsewhere are not its business', async () => {
    const access = await serviceAccountAccess(fleet.cluster('member'), { namespace: LEASE_NAMESPACE, name: 'scoped-operator' }, [
      { namespace: 'team-a', rules: OPERATOR_RULES },
      { namespace: 'team-b', rules: OPERATOR_RULES },
      lease,
    ]);
    for (const namespace of ['team-a', 'team-b', 'team-c']) await createRegionInputs(api.client, namespace);
    operator = await startOperator(access.kubeconfigFile, [`--leader-election-namespace=${LEASE_NAMESPACE}`, '--watch-namespaces=team-a,team-b']);
    for (const namespace of ['team-a', 'team-b', 'team-c']) await api.replicas.create(replica('demo', namespace, everything));
    for (const namespace of ['team-a', 'team-b']) expect((await waitForPhase(api, namespace, 'demo', 'Running')).status?.readyPods).toBe('6/6');
    expect((await api.replicas.get('demo', 'team-c'))?.status).toBeUndefined();
    expect(operator.process.logTail()).not.toMatch(/forbidden/i);
    await operator.stop();
    operator = undefined;
  });

  it('with a ClusterRole, is enough to run replicas in any namespace', async () => {
    const access = await serviceAccountAccess(fleet.cluster('member'), { namespace: LEASE_NAMESPACE, name: 'cluster-operator' }, [
      { rules: OPERATOR_RULES },
      lease,
    ]);
    operator = await startOperator(access.kubeconfigFile, [`--leader-election-namespace=${LEASE_NAMESPACE}`]);
    const running = await waitForPhase(api, 'team-c', 'demo', 'Running');
    expect(running.status?.readyPods).toBe('6/6');
    await eventually('the generated Grafana admin Secret', () => api.secrets.get('demo-grafana-admin', 'team-c'));
    expect(operator.process.logTail()).not.toMatch(/forbidden/i);
  });
});
