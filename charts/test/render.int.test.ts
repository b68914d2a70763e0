import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { CHART_CRDS, CHART_NAMES, CHARTS_DIRECTORY, type ChartName } from '../src/crd-copies.ts';
import { flagsSetBy, parseContainerFlags } from './helpers/flags.ts';
import { lintChart, renderChart } from './helpers/helm.ts';
import {
  controllerContainer,
  controllerOnly,
  isApiOnly,
  ofKind,
  only,
  podSpec,
  rulesOf,
  variants,
  type Container,
  type KubeObject,
} from './helpers/objects.ts';
import { policyViolations } from './helpers/policy.ts';
import {
  DEFAULT_ALLOWED_IMAGE_PREFIXES,
  HUB_CLUSTER_RULES,
  HUB_FLAGS,
  HUB_NAMESPACE_RULES,
  OPERATOR_FLAGS,
  OPERATOR_LEASE_RULES,
  OPERATOR_RULES,
} from './helpers/sources.ts';
import { validationError } from './helpers/validation.ts';

const RELEASE_NAMESPACE = 'promfleet-system';
const FLAGS = { 'promfleet-hub': HUB_FLAGS, 'promfleet-replica-operator': OPERATOR_FLAGS } as const;
// In a cluster the controllers use the pod's ServiceAccount; a kubeconfig flag has no place in a chart.
const NOT_FOR_CHARTS = new Set(['kubeconfig']);

const rendered = new Map<string, Promise<KubeObject[]>>();
function render(chart: ChartName, file: string): Promise<KubeObject[]> {
  const key = `${chart}:${file}`;
  let objects = rendered.get(key);
  if (!objects) {
    objects = renderChart(chart, { namespace: RELEASE_NAMESPACE, valuesFiles: [file] });
    rendered.set(key, objects);
  }
  return objects;
}

/** The rules the chart must render, from the controllers' sources, as plain data. */
function plain(rules: readonly unknown[]): unknown[] {
  return JSON.parse(JSON.stringify(rules)) as unknown[];
}

describe.each(variants())('$chart with ci/$name-values.yaml', ({ chart, file }) => {
  it('passes helm lint --strict', async () => {
    await expect(lintChart(chart, file)).resolves.toContain('0 chart(s) failed');
  });

  it('renders only objects valid for their kind (built-in kinds, CRDs against crds/, monitoring kinds)', async () => {
    const objects = await render(chart, file);
    expect(ofKind(objects, 'Deployment').filter((d) => !isApiOnly(d))).toHaveLength(1);
    expect(objects.map(validationError).filter(Boolean)).toEqual([]);
  });

  it('meets the policy: no wildcards, Secrets only where allowed, non-root read-only pods with resources and probes', async () => {
    const objects = await render(chart, file);
    const policy =
      chart === 'promfleet-replica-operator'
        ? { clusterWideSecretReads: true, secretVerbs: ['get', 'create'] }
        : { clusterWideSecretReads: false, secretVerbs: ['get', 'list', 'watch', 'delete'] };
    expect(policyViolations(objects, policy)).toEqual([]);
  });

  it('selects its own pods with each NetworkPolicy, on the port they listen on', async () => {
    const objects = await render(chart, file);
    for (const policy of ofKind(objects, 'NetworkPolicy') as unknown as {
      metadata: { name: string };
      spec: { podSelector: { matchLabels: Record<string, string> }; ingress: { ports?: { port: number }[] }[] };
    }[]) {
      const deployment = ofKind(objects, 'Deployment').find((d) => d.metadata.name === policy.metadata.name);
      if (!deployment) throw new Error(`NetworkPolicy ${policy.metadata.name} has no Deployment of its name`);
      const template = (deployment as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template;
      expect(template.metadata.labels).toMatchObject(policy.spec.podSelector.matchLabels);
      const ports = (podSpec(deployment).containers[0] as unknown as { ports: { containerPort: number }[] }).ports.map((p) => p.containerPort);
      for (const rule of policy.spec.ingress) for (const port of rule.ports ?? []) expect(ports).toContain(port.port);
    }
  });

  it("passes flags the binary's own parser accepts, and the downward API's pod name and namespace", async () => {
    const container = controllerContainer(await render(chart, file));
    expect(() => parseContainerFlags(FLAGS[chart], container)).not.toThrow();
    const downward = Object.fromEntries((container.env ?? []).map((v) => [v.name, v.valueFrom]));
    expect(downward.POD_NAME).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(downward.POD_NAMESPACE).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
  });

  it('installs its CRDs, with resource-policy keep, exactly when crds.enabled', async () => {
    const objects = await render(chart, file);
    const kinds = ofKind(objects, 'CustomResourceDefinition').map((crd) => (crd as unknown as { spec: { names: { kind: string } } }).spec.names.kind);
    expect(kinds.sort()).toEqual(file.endsWith('crds-disabled-values.yaml') ? [] : [...CHART_CRDS[chart]].sort());
  });

  it('wires Service, pods and ServiceMonitor together by labels and port names', async () => {
    const objects = await render(chart, file);
    const deployment = controllerOnly(objects, 'Deployment');
    const podLabels = (deployment as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels;
    const service = controllerOnly(objects, 'Service') as unknown as {
      metadata: { labels: Record<string, string> };
      spec: { selector: Record<string, string>; ports: { name: string }[] };
    };
    expect(podLabels).toMatchObject(service.spec.selector);
    for (const monitor of ofKind(objects, 'ServiceMonitor') as unknown as {
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] };
    }[]) {
      expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
      expect(service.spec.ports.map((port) => port.name)).toEqual(expect.arrayContaining(monitor.spec.endpoints.map((endpoint) => endpoint.port)));
    }
    for (const object of objects.filter((o) => !['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition'].includes(o.kind))) {
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBeTruthy();
    }
  });

  if (chart === 'promfleet-hub') {
    it('grants exactly HUB_CLUSTER_RULES cluster-wide and HUB_NAMESPACE_RULES in the namespace the hub is told is its own', async () => {
      const objects = await render(chart, file);
      const flags = parseContainerFlags(HUB_FLAGS, controllerContainer(objects));
      expect(rulesOf(only(objects, 'ClusterRole'))).toEqual(plain(HUB_CLUSTER_RULES));
      const role = only(objects, 'Role');
      expect(rulesOf(role)).toEqual(plain(HUB_NAMESPACE_RULES));
      expect(role.metadata.namespace).toBe(flags.namespace);
      const account = podSpec(controllerOnly(objects, 'Deployment'));
      for (const binding of [...ofKind(objects, 'ClusterRoleBinding'), ...ofKind(objects, 'RoleBinding')]) {
        expect((binding as unknown as { subjects: unknown[] }).subjects).toEqual([
          { kind: 'ServiceAccount', name: (account as unknown as { serviceAccountName: string }).serviceAccountName, namespace: RELEASE_NAMESPACE },
        ]);
      }
    });
  } else {
    it('grants exactly OPERATOR_RULES in a Role per watched namespace (or, clusterWide, a ClusterRole) and OPERATOR_LEASE_RULES where the Lease is', async () => {
      const objects = await render(chart, file);
      const flags = parseContainerFlags(OPERATOR_FLAGS, controllerContainer(objects));
      const roles = [...ofKind(objects, 'ClusterRole'), ...ofKind(objects, 'Role')];
      const lease = roles.filter((role) => role.metadata.name.endsWith('-leader-election'));
      expect(lease.map((role) => [role.kind, role.metadata.namespace])).toEqual([['Role', flags['leader-election-namespace']]]);
      for (const role of lease) expect(rulesOf(role)).toEqual(plain(OPERATOR_LEASE_RULES));
      const serving = roles.filter((role) => !lease.includes(role));
      for (const role of serving) expect(rulesOf(role)).toEqual(plain(OPERATOR_RULES));
      const watched = flags['watch-namespaces'].flatMap((value) => value.split(','));
      if (watched.length === 0) expect(serving.map((role) => role.kind)).toEqual(['ClusterRole']);
      else expect(serving.map((role) => `${role.kind} ${role.metadata.namespace ?? ''}`)).toEqual(watched.map((namespace) => `Role ${namespace}`));
      for (const binding of [...ofKind(objects, 'ClusterRoleBinding'), ...ofKind(objects, 'RoleBinding')]) {
        const roleRef = (binding as unknown as { roleRef: { kind: string; name: string } }).roleRef;
        expect(
          roles.some((role) => role.kind === roleRef.kind && role.metadata.name === roleRef.name && role.metadata.namespace === binding.metadata.namespace),
        ).toBe(true);
      }
    });
  }
});

describe.each(CHART_NAMES)('%s', (chart) => {
  it('reaches every flag of the binary from values across its ci variants', async () => {
    const reached = new Set<string>();
    for (const variant of variants().filter((v) => v.chart === chart)) {
      for (const flag of flagsSetBy(FLAGS[chart], controllerContainer(await render(chart, variant.file)))) reached.add(flag);
    }
    expect(Object.keys(FLAGS[chart]).filter((flag) => !reached.has(flag) && !NOT_FOR_CHARTS.has(flag))).toEqual([]);
  });

  it('rejects a value the schema does not know', async () => {
    await expect(renderChart(chart, { set: { replicas: 2 } })).rejects.toThrow(/additional properties 'replicas' not allowed|replicas/);
  });

  it('refuses several replicas without leader election', async () => {
    await expect(renderChart(chart, { set: { replicaCount: 2, leaderElection: { enabled: false } } })).rejects.toThrow(
      /leaderElection.enabled=false needs replicaCount: 1/,
    );
  });
});

describe('promfleet-hub API-only replicas', () => {
  interface Deployment {
    metadata: { name: string };
    spec: {
      selector: { matchLabels: Record<string, string> };
      template: { metadata: { labels: Record<string, string> }; spec: { automountServiceAccountToken?: boolean; containers: Container[] } };
    };
  }
  const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

  it('runs `promfleet-hub api` from Redis without Kubernetes credentials, selected apart from the hub', async () => {
    const objects = await renderChart('promfleet-hub', {
      set: { apiServer: { enabled: true, replicaCount: 4 }, redis: { url: 'redis://redis:6379' }, apiToken: { existingSecret: 'api-token' } },
    });
    const api = ofKind(objects, 'Deployment').find(isApiOnly) as unknown as Deployment;
    const hub = controllerOnly(objects, 'Deployment') as unknown as Deployment;
    const container = api.spec.template.spec.containers[0];
    expect(container?.args?.[0]).toBe('api');
    const flags = parseContainerFlags(HUB_FLAGS, { ...container, args: container?.args?.slice(1) } as Container);
    expect(flags['redis-url']).toBe('redis://redis:6379');
    expect(flags['api-token-file']).toBeDefined();
    expect(api.spec.template.spec.automountServiceAccountToken).toBe(false);
    // Neither Deployment's selector may claim the other's pods.
    expect(matches(hub.spec.selector.matchLabels, api.spec.template.metadata.labels)).toBe(false);
    expect(matches(api.spec.selector.matchLabels, hub.spec.template.metadata.labels)).toBe(false);
    const service = ofKind(objects, 'Service').find(isApiOnly) as unknown as { spec: { selector: Record<string, string> } };
    expect(matches(service.spec.selector, api.spec.template.metadata.labels)).toBe(true);
  });

  it('refuses API-only replicas without Redis', async () => {
    await expect(renderChart('promfleet-hub', { set: { apiServer: { enabled: true } } })).rejects.toThrow(/apiServer.enabled needs Redis/);
  });
});

describe('promfleet-hub values', () => {
  it('mounts the API token Secret as the file --api-token-file names, without subPath so rotations arrive', async () => {
    const objects = await renderChart('promfleet-hub', { set: { apiToken: { existingSecret: 'api-token', key: 'bearer' } } });
    const container = controllerContainer(objects);
    const tokenFile = parseContainerFlags(HUB_FLAGS, container)['api-token-file'] ?? '';
    const mount = (container as unknown as { volumeMounts: { name: string; mountPath: string; subPath?: string }[] }).volumeMounts.find((m) =>
      tokenFile.startsWith(`${m.mountPath}/`),
    );
    expect(mount).toMatchObject({ name: 'api-token' });
    expect(mount?.subPath).toBeUndefined();
    const volume = (podSpec(controllerOnly(objects, 'Deployment')) as unknown as { volumes: { name: string; secret?: unknown }[] }).volumes.find(
      (v) => v.name === 'api-token',
    );
    expect(volume?.secret).toMatchObject({ secretName: 'api-token', items: [{ key: 'bearer', path: tokenFile.slice((mount?.mountPath.length ?? 0) + 1) }] });
  });

  it('serves HTTPS from the TLS Secret on the hub and the API-only replicas: --tls-* files in a whole-Secret mount, probes, Services and ServiceMonitor over https', async () => {
    const objects = await renderChart('promfleet-hub', {
      set: {
        tls: { existingSecret: 'hub-tls' },
        apiServer: { enabled: true },
        redis: { url: 'redis://redis:6379' },
        serviceMonitor: { enabled: true },
        endpointsApi: { watchBuffer: '2Mi', maxWatchers: 50 },
      },
    });
    for (const deployment of ofKind(objects, 'Deployment')) {
      const container = (podSpec(deployment) as unknown as { containers: Container[] }).containers[0] as Container & {
        volumeMounts: { name: string; mountPath: string; subPath?: string }[];
        ports: { name: string }[];
        livenessProbe: { httpGet: { port: string; scheme: string } };
        readinessProbe: { httpGet: { port: string; scheme: string } };
      };
      const args = isApiOnly(deployment) ? container.args?.slice(1) : container.args;
      const flags = parseContainerFlags(HUB_FLAGS, { ...container, args } as Container);
      expect(flags['api-watch-buffer']).toBe(2 * 2 ** 20);
      expect(flags['api-max-watchers']).toBe(50);
      const mount = container.volumeMounts.find((m) => m.name === 'tls');
      expect(mount?.subPath).toBeUndefined();
      expect([flags['tls-cert-file'], flags['tls-key-file']]).toEqual([`${mount?.mountPath ?? ''}/tls.crt`, `${mount?.mountPath ?? ''}/tls.key`]);
      const volume = (podSpec(deployment) as unknown as { volumes: { name: string; secret?: { secretName: string } }[] }).volumes.find((v) => v.name === 'tls');
      expect(volume?.secret?.secretName).toBe('hub-tls');
      expect(container.ports.map((p) => p.name)).toEqual(['https']);
      for (const probe of [container.livenessProbe, container.readinessProbe]) expect(probe.httpGet).toMatchObject({ port: 'https', scheme: 'HTTPS' });
    }
    for (const service of ofKind(objects, 'Service') as unknown as { spec: { ports: { name: string; targetPort: string }[] } }[]) {
      expect(service.spec.ports).toEqual([expect.objectContaining({ name: 'https', targetPort: 'https' })]);
    }
    const monitor = only(objects, 'ServiceMonitor') as unknown as { spec: { endpoints: Record<string, unknown>[] } };
    expect(monitor.spec.endpoints[0]).toMatchObject({
      port: 'https',
      scheme: 'https',
      tlsConfig: { ca: { secret: { name: 'hub-tls', key: 'ca.crt' } }, serverName: 'promfleet-hub.promfleet-system.svc' },
    });
    expect(objects.map(validationError).filter(Boolean)).toEqual([]);
  });

  it('defaults the hub namespace to the release namespace and takes the Redis URL from a Secret as PROMFLEET_REDIS_URL', async () => {
    const objects = await renderChart('promfleet-hub', { namespace: 'fleet', set: { redis: { existingSecret: { name: 'redis', key: 'url' } } } });
    const container = controllerContainer(objects);
    expect(parseContainerFlags(HUB_FLAGS, container).namespace).toBe('fleet');
    expect(container.env?.find((v) => v.name === 'PROMFLEET_REDIS_URL')?.valueFrom).toEqual({ secretKeyRef: { name: 'redis', key: 'url' } });
  });

  it('runs the hub with NODE_OPTIONS from nodeOptions, which Node takes as its young generation’s size, and none when empty', async () => {
    const values = parse(readFileSync(join(CHARTS_DIRECTORY, 'promfleet-hub', 'values.yaml'), 'utf8')) as { nodeOptions: string };
    const env = controllerContainer(await renderChart('promfleet-hub', { namespace: 'fleet' })).env ?? [];
    const nodeOptions = env.find((v) => v.name === 'NODE_OPTIONS')?.value;
    expect(nodeOptions).toBe(values.nodeOptions);
    // Node refuses options it does not allow in NODE_OPTIONS; this one sets the semi-space (new space is two of them).
    const newSpace = spawnSync(process.execPath, ['-e', NEW_SPACE_AFTER_ALLOCATING], { env: { ...process.env, NODE_OPTIONS: nodeOptions }, encoding: 'utf8' });
    expect(newSpace.stderr).toBe('');
    expect(Number(newSpace.stdout) / 2 ** 20).toBe(2 * Number(/--max-semi-space-size=(\d+)/.exec(nodeOptions ?? '')?.[1]));
    const without = controllerContainer(await renderChart('promfleet-hub', { namespace: 'fleet', set: { nodeOptions: '' } })).env ?? [];
    expect(without.map((v) => v.name)).not.toContain('NODE_OPTIONS');
  });
});

/** Prints V8's new space size once allocation has grown it as far as it goes. */
const NEW_SPACE_AFTER_ALLOCATING = `
const v8 = require('node:v8');
let keep = [];
for (let i = 0; i < 3e6; i++) { keep.push({ i, pair: [i, i] }); if (keep.length > 50000) keep = []; }
process.stdout.write(String(v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size));
`;

describe('promfleet-replica-operator values', () => {
  it('serve only the monitoring namespace by default, with Roles there and no ClusterRole', async () => {
    const objects = await renderChart('promfleet-replica-operator');
    expect(parseContainerFlags(OPERATOR_FLAGS, controllerContainer(objects))['watch-namespaces']).toEqual(['monitoring']);
    expect(ofKind(objects, 'ClusterRole')).toEqual([]);
    expect(ofKind(objects, 'ClusterRoleBinding')).toEqual([]);
  });

  it('refuse to serve no namespace unless clusterWide says every one', async () => {
    await expect(renderChart('promfleet-replica-operator', { set: { watchNamespaces: [] } })).rejects.toThrow(/watchNamespaces is empty/);
    const objects = await renderChart('promfleet-replica-operator', { set: { watchNamespaces: [], clusterWide: true } });
    expect(parseContainerFlags(OPERATOR_FLAGS, controllerContainer(objects))['watch-namespaces']).toEqual([]);
  });
});

describe.each(CHART_NAMES)('%s image allow-list', (chart) => {
  it('defaults to the registries of the pinned images, as the binary does', async () => {
    const container = controllerContainer(await renderChart(chart));
    const flags = chart === 'promfleet-hub' ? parseContainerFlags(HUB_FLAGS, container) : parseContainerFlags(OPERATOR_FLAGS, container);
    expect(flags['allowed-image-prefixes'].flatMap((value) => value.split(','))).toEqual([...DEFAULT_ALLOWED_IMAGE_PREFIXES]);
  });
});
