import {
  ANNOTATIONS,
  API_VERSION,
  FIELD_MANAGERS,
  LABELS,
  PROMETHEUS_CLUSTER,
  PROMETHEUS_CLUSTER_SHARD,
  type DNSRecord,
  type PrometheusCluster,
  type PrometheusClusterShard,
} from '@promfleet/api';
import type { ICustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { Applier } from '@promfleet/kube/apply';
import { Informer } from '@promfleet/kube/cache';
import { CustomResourceDefinitions, ResourceClient, resourceType, type KubeClient, type KubeObject } from '@promfleet/kube/client';
import type { ReconcileContext } from '@promfleet/kube/controller';
import type { KitMetrics, Logger } from '@promfleet/kube/observability';

export const DNS_ENDPOINT_CRD = 'dnsendpoints.externaldns.k8s.io';

/** external-dns's `ProviderSpecificProperty`: its `value` is `omitempty`. */
export interface ProviderSpecificProperty {
  name: string;
  value?: string;
}

export interface DNSEndpoint extends KubeObject {
  spec?: {
    endpoints?: {
      dnsName: string;
      recordType: string;
      targets: string[];
      recordTTL?: number;
      setIdentifier?: string;
      providerSpecific?: ProviderSpecificProperty[];
    }[];
  };
}

/**
 * A record's routing policy as external-dns's AWS provider reads it (provider/aws/aws.go): the
 * weight as a decimal string under `aws/weight`, multivalue as the mere presence of
 * `aws/multi-value-answer` — with the empty value the provider reports for a record it reads
 * back, or every sync would find a difference and rewrite the record. No other provider in
 * external-dns reads a set identifier or a routing policy (docs/dns.md#routing-policies).
 */
export function providerSpecific(record: DNSRecord): ProviderSpecificProperty[] {
  switch (record.routingPolicy) {
    case 'weighted':
      return [{ name: 'aws/weight', value: String(record.weight ?? 1) }];
    case 'multivalue':
      return [{ name: 'aws/multi-value-answer' }];
    case undefined:
      return [];
  }
}

export const DNSEndpoints = resourceType<DNSEndpoint>('externaldns.k8s.io', 'v1alpha1', 'dnsendpoints', 'DNSEndpoint', true);

/** external-dns's DNSEndpoint for a PrometheusCluster's records (owned by it, so it goes with it). */
export function desiredDNSEndpoint(cluster: PrometheusCluster): DNSEndpoint | undefined {
  return dnsEndpointOf(cluster, PROMETHEUS_CLUSTER.kind, cluster.status?.endpoints ?? [], {});
}

/** The DNSEndpoint of a shard's records (its members' own record sets), of the shard's name and owned by it. */
export function desiredShardDNSEndpoint(shard: PrometheusClusterShard): DNSEndpoint | undefined {
  return dnsEndpointOf(shard, PROMETHEUS_CLUSTER_SHARD.kind, shard.status?.endpoints ?? [], { [LABELS.prometheusCluster]: shard.spec.cluster });
}

function dnsEndpointOf(
  owner: PrometheusCluster | PrometheusClusterShard,
  kind: string,
  endpoints: readonly DNSRecord[],
  labels: Record<string, string>,
): DNSEndpoint | undefined {
  if (endpoints.length === 0) return undefined;
  return {
    apiVersion: 'externaldns.k8s.io/v1alpha1',
    kind: 'DNSEndpoint',
    metadata: {
      name: owner.metadata.name,
      namespace: owner.metadata.namespace,
      labels: { 'app.kubernetes.io/managed-by': FIELD_MANAGERS.hub, ...labels },
      ownerReferences: owner.metadata.uid
        ? [
            {
              apiVersion: API_VERSION,
              kind,
              name: owner.metadata.name,
              uid: owner.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ]
        : undefined,
    },
    spec: {
      endpoints: endpoints.map((record) => ({
        dnsName: record.dnsName,
        recordType: record.recordType,
        targets: [...record.targets],
        recordTTL: record.ttl,
        ...(record.setIdentifier ? { setIdentifier: record.setIdentifier } : {}),
        ...(record.routingPolicy ? { providerSpecific: providerSpecific(record) } : {}),
      })),
    },
  };
}

/**
 * Mirrors every PrometheusCluster's `status.endpoints` into a DNSEndpoint, and every
 * PrometheusClusterShard's into one of its own (external-dns reads them all, so a member's change
 * rewrites its shard's) — when external-dns's CRD exists in the hub. The CRD is watched, so installing external-dns later needs no hub
 * restart; without it the writer does nothing and costs nothing.
 */
export class DNSEndpointWriter {
  readonly #clusters: Informer<PrometheusCluster>;
  readonly #shards: Informer<PrometheusClusterShard>;
  readonly #logger: Logger;
  readonly #metrics: KitMetrics;
  readonly #applier = new Applier(FIELD_MANAGERS.hub, { hashAnnotation: ANNOTATIONS.appliedHash });
  readonly #resources: ResourceClient<DNSEndpoint>;
  readonly crds: Informer<ICustomResourceDefinition>;
  #endpoints: Informer<DNSEndpoint> | undefined;
  #onEnabled: (() => void) | undefined;

  constructor(
    client: KubeClient,
    clusters: Informer<PrometheusCluster>,
    shards: Informer<PrometheusClusterShard>,
    options: { logger: Logger; metrics: KitMetrics },
  ) {
    this.#clusters = clusters;
    this.#shards = shards;
    this.#logger = options.logger.child({ component: 'dnsendpoint-writer' });
    this.#metrics = options.metrics;
    this.#resources = new ResourceClient(client, DNSEndpoints);
    this.crds = new Informer(new ResourceClient(client, CustomResourceDefinitions), {
      fieldSelector: `metadata.name=${DNS_ENDPOINT_CRD}`,
      logger: options.logger,
      metrics: options.metrics,
    });
    this.crds.addHandler({ onAdd: () => void this.#refresh(), onUpdate: () => void this.#refresh(), onDelete: () => void this.#refresh() });
  }

  /** Called whenever the CRD appears, so every PrometheusCluster gets its DNSEndpoint. */
  onEnabled(callback: () => void): void {
    this.#onEnabled = callback;
  }

  get enabled(): boolean {
    return this.#endpoints?.hasSynced ?? false;
  }

  /** The DNSEndpoint of the PrometheusCluster `key`. */
  async reconcile({ key }: ReconcileContext): Promise<undefined> {
    const cluster = this.#clusters.get(key);
    await this.#mirror(key, cluster && !cluster.metadata.deletionTimestamp ? desiredDNSEndpoint(cluster) : undefined);
    return undefined;
  }

  /** The DNSEndpoint of the PrometheusClusterShard `key` (a name a PrometheusCluster cannot have). */
  async reconcileShard({ key }: ReconcileContext): Promise<undefined> {
    const shard = this.#shards.get(key);
    await this.#mirror(key, shard && !shard.metadata.deletionTimestamp ? desiredShardDNSEndpoint(shard) : undefined);
    return undefined;
  }

  async #mirror(key: string, desired: DNSEndpoint | undefined): Promise<void> {
    const endpoints = this.#endpoints;
    if (!endpoints?.hasSynced) return;
    const live = endpoints.get(key);
    if (desired) {
      await this.#applier.apply(this.#resources, desired, live);
    } else if (live?.metadata?.labels?.['app.kubernetes.io/managed-by'] === FIELD_MANAGERS.hub) {
      await this.#resources.delete(live.metadata.name ?? '', live.metadata.namespace);
    }
  }

  async stop(): Promise<void> {
    await this.#endpoints?.stop();
    this.#endpoints = undefined;
  }

  async #refresh(): Promise<void> {
    const established = this.crds.list().some((crd) => (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True'));
    if (established && !this.#endpoints) {
      this.#endpoints = new Informer(this.#resources, {
        logger: this.#logger,
        metrics: this.#metrics,
        labelSelector: `app.kubernetes.io/managed-by=${FIELD_MANAGERS.hub}`,
      });
      this.#endpoints.start();
      await this.#endpoints.waitForSync();
      this.#logger.info('external-dns DNSEndpoint CRD found: writing DNSEndpoints');
      this.#onEnabled?.();
    } else if (!established && this.#endpoints) {
      this.#logger.info('external-dns DNSEndpoint CRD gone: no longer writing DNSEndpoints');
      await this.stop();
    }
  }
}
