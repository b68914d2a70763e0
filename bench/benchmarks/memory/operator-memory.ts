import { setTimeout as sleep } from 'node:timers/promises';

import { ANNOTATIONS, FIELD_MANAGERS, type PrometheusReplica, PrometheusReplicas } from '@promfleet/api';
import { desiredReplica } from '@promfleet/hub';
import { Applier } from '@promfleet/kube/apply';
import {
  ConfigMaps,
  Deployments,
  Ingresses,
  Namespaces,
  Pods,
  ResourceClient,
  preferredResource,
  resourceType,
  RoleBindings,
  Roles,
  ServiceAccounts,
  Services,
  StatefulSets,
  type KubeClient,
  type KubeObject,
} from '@promfleet/kube/client';
import pLimit from 'p-limit';

import { BenchFleet, createRegionInputs } from '../../lib/bench-fleet.ts';
import { cachedJSONBytes } from '../../lib/cached-json.ts';
import { benchCluster, memberClusterOf } from '../../lib/objects.ts';
import { Observer } from '../../lib/observer.ts';
import { mib, readMemory, type MemoryReading } from '../../lib/process-memory.ts';
import { waitQuiet } from '../../lib/quiet.ts';
import type { Benchmark } from '../../harness.ts';
import { memoryTable, type Stage } from './memory-table.ts';
import { idleByFormTable, idleReleaseBundle } from './release-idle.ts';

const TIMEOUT_MS = 1_800_000;
const OWN = 'app.kubernetes.io/managed-by=promfleet-replica-operator';

/**
 * What the operator caches, as JSON: replicas, its workloads, Services, Ingresses, PDBs, ServiceAccounts,
 * Roles, RoleBindings, NetworkPolicies and pods, and every ConfigMap (the Secrets replicas name are
 * kept as digests and left out).
 */
async function operatorCachedJSON(admin: KubeClient): Promise<{ objects: number; bytes: number }> {
  const own = { labelSelector: OWN };
  // The version the operator itself picks: policy/v1 on current clusters, v1beta1 on v1.20.
  const podDisruptionBudgets = await preferredResource<KubeObject>(admin, 'policy', ['v1', 'v1beta1'], 'poddisruptionbudgets', 'PodDisruptionBudget', true);
  const parts = await Promise.all([
    cachedJSONBytes(new ResourceClient(admin, PrometheusReplicas)),
    cachedJSONBytes(new ResourceClient(admin, StatefulSets), own),
    cachedJSONBytes(new ResourceClient(admin, Deployments), own),
    cachedJSONBytes(new ResourceClient(admin, Services), own),
    cachedJSONBytes(new ResourceClient(admin, Ingresses), own),
    ...(podDisruptionBudgets ? [cachedJSONBytes(new ResourceClient(admin, podDisruptionBudgets), own)] : []),
    cachedJSONBytes(new ResourceClient(admin, ServiceAccounts), own),
    cachedJSONBytes(new ResourceClient(admin, Roles), own),
    cachedJSONBytes(new ResourceClient(admin, RoleBindings), own),
    cachedJSONBytes(new ResourceClient(admin, resourceType<KubeObject>('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true)), own),
    cachedJSONBytes(new ResourceClient(admin, Pods), own),
    cachedJSONBytes(new ResourceClient(admin, ConfigMaps)),
  ]);
  return { objects: parts.reduce((sum, p) => sum + p.objects, 0), bytes: parts.reduce((sum, p) => sum + p.bytes, 0) };
}

export const operatorMemoryBenchmark: Benchmark = {
  name: 'operator-memory',
  description: 'replica operator RSS and heap with 200 running PrometheusReplicas (3 pods each), against the idle operator and the JSON it caches',
  async run({ smoke, log }) {
    const namespaces = smoke ? 1 : 10;
    const perNamespace = smoke ? 2 : 20;
    const total = namespaces * perNamespace;
    const settleMs = smoke ? 1_000 : 10_000;
    await using bench = await BenchFleet.start({ memberServers: 1, operators: true, inspect: true });
    const [admin] = bench.admins;
    const [operator] = bench.operators;
    if (!admin || !operator) throw new Error('no member API server');
    const replicas = await new Observer(new ResourceClient(admin, PrometheusReplicas)).start();
    const stages: Stage[] = [];
    let release: MemoryReading | undefined;
    const measure = async (name: string, added?: Stage['added']) => {
      await sleep(settleMs);
      const reading = await readMemory(operator.process.pid, bench.inspectorPort(operator));
      stages.push({ name, reading, cached: await operatorCachedJSON(admin), ...(added ? { added } : {}) });
      log(`${name}: RSS ${String(mib(reading.rssBytes))} MiB, heap ${String(mib(reading.heapUsedBytes))} MiB`);
    };
    try {
      await measure('idle (no replicas)');
      const server = bench.servers[0];
      if (!server) throw new Error('no member API server');
      release = await idleReleaseBundle(bench, 'operator', [`--kubeconfig=${server.kubeconfigFile}`], settleMs);
      log(`idle, release bundle: RSS ${String(mib(release.rssBytes))} MiB, heap ${String(mib(release.heapUsedBytes))} MiB`);
      log(`applying ${String(total)} PrometheusReplicas in ${String(namespaces)} namespaces`);
      const applier = new Applier(FIELD_MANAGERS.hub, { hashAnnotation: ANNOTATIONS.appliedHash });
      const resources = new ResourceClient(admin, PrometheusReplicas);
      const limit = pLimit(16);
      const work: Promise<unknown>[] = [];
      for (let n = 0; n < namespaces; n++) {
        const namespace = `region-${String(n).padStart(2, '0')}`;
        await new ResourceClient(admin, Namespaces).create({ metadata: { name: namespace } });
        await createRegionInputs(admin, namespace);
        for (let r = 0; r < perNamespace; r++) {
          const replica: PrometheusReplica = desiredReplica(
            benchCluster(`replica-${String(r).padStart(3, '0')}`),
            memberClusterOf({ name: namespace, namespace }),
          );
          work.push(limit(() => applier.apply(resources, replica, undefined)));
        }
      }
      await Promise.all(work);
      await replicas.until(
        `${String(total)} replicas Running`,
        (cache) => cache.list().filter((replica) => replica.status?.phase === 'Running').length === total,
        TIMEOUT_MS,
      );
      await waitQuiet(bench.controllers, 5_000, TIMEOUT_MS);
      await measure(`${String(total)} replicas Running (${String(total * 3)} pods)`, { unit: 'replica', count: total });
    } finally {
      await replicas.stop();
    }
    return [
      memoryTable(`Replica operator memory: ${String(total)} PrometheusReplicas on one API server`, stages, [
        "JSON cached: the objects the operator's informers hold, without managedFields: replicas, its StatefulSets, Deployments, Services, Ingresses, PDBs, ServiceAccounts, Roles, RoleBindings, NetworkPolicies and pods, and all ConfigMaps.",
      ]),
      ...(stages[0] ? [idleByFormTable('replica operator', stages[0].reading, release)] : []),
    ];
  },
};
