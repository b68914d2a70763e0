import { API_VERSION, type PrometheusCluster, type PrometheusReplica, PrometheusReplicas } from '@promfleet/api';
import { ConfigMaps, Pods, ResourceClient, Secrets, type KubeClient } from '@promfleet/kube/client';
import { OBJSTORE, PROMETHEUS_CONFIG } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { eventually, MEMBER_NAMESPACE, startPromfleet, type Promfleet } from './helpers/promfleet-fleet.ts';

// A hub and one member whose kubelet runs the real Prometheus (Debian's 2.42) for Prometheus
// containers; everything else in the pods is only reported running.
let pf: Promfleet;
let member: KubeClient;
const POD = 'fleet-prometheus-0';
const RULES = 'groups:\n  - name: fleet-rules\n    rules:\n      - alert: TargetDown\n        expr: up == 0\n        for: 5m\n';

beforeAll(async () => {
  pf = await startPromfleet({
    members: [{ name: 'eu', labels: { platform: 'cloud' } }],
    hub: { probeInterval: '2s' },
    kubelet: { prometheus: true },
    // The bucket Secret test should not wait out the default 30 s poll.
    operatorArgs: ['--secret-poll-interval=1s'],
  });
  member = pf.members.get('eu')?.client ?? pf.hub;
  await new ResourceClient(member, ConfigMaps).create({ metadata: { name: 'team-rules', namespace: MEMBER_NAMESPACE }, data: { 'alerts.yaml': RULES } });
  await pf.clusters.create({
    apiVersion: API_VERSION,
    kind: 'PrometheusCluster',
    metadata: { name: 'fleet', namespace: 'default' },
    spec: {
      clusterSelector: { matchLabels: { platform: 'cloud' } },
      configMap: 'prometheus-config',
      bucketSecret: 's3-bucket',
      rules: { configMaps: ['team-rules'] },
      alertmanagers: [{ targets: ['alertmanager.monitoring.svc:9093'] }],
    },
  } as unknown as PrometheusCluster);
  await eventually('the member entry ready', async () => (await pf.clusters.get('fleet', 'default'))?.status?.clusters?.[0]?.ready === true, 120_000);
});

afterAll(async () => {
  await pf.stop();
});

/** Prometheus' own HTTP API, through the member API server's pod proxy (as the operator reads it). */
function prometheus<T>(path: string, pod = POD): Promise<T> {
  return member.request<T>({
    verb: 'get',
    method: 'GET',
    resource: 'pods/proxy',
    path: `/api/v1/namespaces/${MEMBER_NAMESPACE}/pods/${pod}:9090/proxy${path}`,
    timeoutMs: 5000,
  });
}
const loadedConfig = async () =>
  parse((await prometheus<{ data: { yaml: string } }>('/api/v1/status/config')).data.yaml) as {
    global: { external_labels: Record<string, string> };
    scrape_configs: { job_name: string }[];
  };
const jobs = async () => (await loadedConfig()).scrape_configs.map((scrape) => scrape.job_name);
const replica = () => new ResourceClient(member, PrometheusReplicas).get('fleet', MEMBER_NAMESPACE);
const condition = (current: PrometheusReplica | undefined, type: string) => current?.status?.conditions?.find((c) => c.type === type);
const podUid = async () => (await new ResourceClient(member, Pods).get(POD, MEMBER_NAMESPACE))?.metadata?.uid;
const setConfig = (text: string) => new ResourceClient(member, ConfigMaps).patch('prometheus-config', MEMBER_NAMESPACE, { data: { 'prometheus.yml': text } });
const withJob = (job: string, extra = '') => `${PROMETHEUS_CONFIG}  - job_name: ${job}\n    static_configs:\n      - targets: [localhost:9100]\n${extra}`;

describe('the operator with a real Prometheus', () => {
  it('runs it with the config, rules and Alertmanagers of the spec; external labels carry the pod’s name; ConfigApplied is True', async () => {
    const config = await loadedConfig();
    expect(config.global.external_labels).toEqual({ cluster: 'eu', replica: POD });
    const rules = await prometheus<{ data: { groups: { name: string }[] } }>('/api/v1/rules');
    expect(rules.data.groups.map((group) => group.name)).toEqual(['fleet-rules']);
    // Prometheus discovers even static Alertmanagers in the background.
    const managers = await eventually('the Alertmanager discovered', async () => {
      const found = (await prometheus<{ data: { activeAlertmanagers: { url: string }[] } }>('/api/v1/alertmanagers')).data.activeAlertmanagers;
      return found.length > 0 ? found : undefined;
    });
    expect(managers.map((manager) => manager.url)).toEqual(['http://alertmanager.monitoring.svc:9093/api/v2/alerts']);
    const applied = await eventually('ConfigApplied=True', async () => {
      const current = await replica();
      return condition(current, 'ConfigApplied')?.status === 'True' ? current : undefined;
    });
    expect(condition(applied, 'ConfigApplied')?.message).toMatch(new RegExp(`^Prometheus loaded config [0-9a-f]{16} in ${POD}$`));
  });

  it('brings a config edit to the running Prometheus without restarting it', async () => {
    const uid = await podUid();
    const before = condition(await replica(), 'ConfigApplied')?.message;
    await setConfig(withJob('edited'));
    await eventually('the edited job loaded', async () => (await jobs()).includes('edited'));
    expect(await podUid()).toBe(uid);
    await eventually('ConfigApplied=True for the new config', async () => {
      const applied = condition(await replica(), 'ConfigApplied');
      return applied?.status === 'True' && applied.message !== before;
    });
  });

  it('keeps the old config serving when Prometheus rejects a new one, and says so on the replica and the hub', async () => {
    // The operator checks discovery blocks only for their shape: the unknown role is Prometheus' to refuse.
    await setConfig(withJob('rejected', '    kubernetes_sd_configs:\n      - role: pods\n'));
    const rejected = await eventually('ConfigApplied=False', async () => {
      const current = await replica();
      return condition(current, 'ConfigApplied')?.status === 'False' ? current : undefined;
    });
    expect(condition(rejected, 'ConfigApplied')).toMatchObject({
      reason: 'ConfigRejected',
      message: expect.stringContaining(`Prometheus in pod ${POD} rejected the config`) as unknown,
    });
    expect(condition(rejected, 'ConfigValid')?.status).toBe('True');
    expect(rejected.status?.phase).toBe('Running');
    expect((await prometheus<{ data: { reloadConfigSuccess: boolean } }>('/api/v1/status/runtimeinfo')).data.reloadConfigSuccess).toBe(false);
    expect(await jobs()).toEqual(['prometheus', 'edited']);
    const entry = await eventually('the hub entry says so', async () => {
      const found = (await pf.clusters.get('fleet', 'default'))?.status?.clusters?.[0];
      return found?.message?.includes('ConfigApplied=False (ConfigRejected)') ? found : undefined;
    });
    expect(entry).toMatchObject({ phase: 'Running', ready: true });

    await setConfig(withJob('fixed'));
    await eventually('ConfigApplied=True again', async () => condition(await replica(), 'ConfigApplied')?.status === 'True');
    expect(await jobs()).toEqual(['prometheus', 'fixed']);
    await eventually('the hub entry clear again', async () => (await pf.clusters.get('fleet', 'default'))?.status?.clusters?.[0]?.message === undefined);
  });

  it('stops Prometheus on SIGTERM when its pod is deleted, and starts the next one while the bucket Secret is broken', async () => {
    const secrets = new ResourceClient(member, Secrets);
    await secrets.patch('s3-bucket', MEMBER_NAMESPACE, { stringData: { 'objstore.yml': 'type: DROPBOX\nconfig: {}\n' } });
    await eventually('the replica refuses the Secret', async () => condition(await replica(), 'BucketSecretValid')?.status === 'False');
    const uid = await podUid();
    await new ResourceClient(member, Pods).delete(POD, MEMBER_NAMESPACE);
    const kubelet = pf.members.get('eu')?.cluster.kubelet;
    // The pod's grace period is 600 s: only a Prometheus that ends on SIGTERM lets this finish.
    const ended = await eventually('the old Prometheus stopped', () => kubelet?.terminations.find((termination) => termination.uid === uid));
    expect(ended).toMatchObject({ killed: false, code: 0 });
    await eventually('a new Prometheus ready', async () => {
      const pod = await new ResourceClient(member, Pods).get(POD, MEMBER_NAMESPACE);
      const ready = pod?.status?.containerStatuses?.find((c) => c.name === 'prometheus')?.ready === true;
      return pod?.metadata?.uid !== uid && ready;
    });
    expect((await loadedConfig()).global.external_labels.replica).toBe(POD);
    await secrets.patch('s3-bucket', MEMBER_NAMESPACE, { stringData: { 'objstore.yml': OBJSTORE } });
    await eventually('Running again', async () => (await replica())?.status?.phase === 'Running', 90_000);
  });
});
