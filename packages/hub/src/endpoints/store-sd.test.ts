import { ANNOTATIONS, validate, type PrometheusCluster, type StoreEndpoint } from '@promfleet/api';
import { appliedHash } from '@promfleet/kube/apply';
import { ConfigMap } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { storeEndpoints } from '../fanout/store-endpoints.ts';
import { desiredStoreSDConfigMap, STORE_SD_KEY, storeSDDocument } from './store-sd.ts';

function cluster(storeEndpointsList: StoreEndpoint[] | undefined, storeAPI: unknown = { expose: 'LoadBalancer' }): PrometheusCluster {
  const result = validate('PrometheusCluster', {
    apiVersion: 'promfleet.io/v1alpha1',
    kind: 'PrometheusCluster',
    metadata: { name: 'cloud', namespace: 'platform', uid: '6f1c2a8e-0000-4000-8000-000000000002' },
    spec: { clusterSelector: {}, configMap: 'prometheus-config', bucketSecret: 's3-bucket', ...(storeAPI ? { storeAPI } : {}) },
    ...(storeEndpointsList ? { status: { storeEndpoints: storeEndpointsList } } : {}),
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

const entry = (name: string, storeAPI: string[]) => ({ name, phase: 'Running' as const, ready: true, stale: false, storeAPI });

describe('the file-SD document', () => {
  it("is Prometheus's file_sd JSON: one target group of host:port targets, as Thanos --store.sd-files reads it", () => {
    const document = storeSDDocument([
      { member: 'eu-west', address: '192.0.2.10:10901' },
      { member: 'us-east', address: 'store-us-east.example.com:443' },
      { member: 'us-west', address: '192.0.2.10:10901' },
    ]);
    expect(JSON.parse(document)).toEqual([{ targets: ['192.0.2.10:10901', 'store-us-east.example.com:443'] }]);
    expect(document.endsWith('\n')).toBe(true);
    expect(JSON.parse(storeSDDocument([]))).toEqual([{ targets: [] }]);
  });

  it('is the same document, and the same applied hash, whatever order the members reported in: no rewrite when nothing changed', () => {
    const entries = [entry('us-east', ['198.51.100.10:10901']), entry('eu-west', ['192.0.2.11:10901', '192.0.2.10:10901'])];
    const a = desiredStoreSDConfigMap(cluster(storeEndpoints(entries)));
    const b = desiredStoreSDConfigMap(cluster(storeEndpoints([...entries].reverse().map((e) => ({ ...e, storeAPI: [...e.storeAPI].reverse() })))));
    expect(a).toEqual(b);
    expect(a && appliedHash(a, ANNOTATIONS.appliedHash)).toBe(b && appliedHash(b, ANNOTATIONS.appliedHash));
    const changed = desiredStoreSDConfigMap(cluster(storeEndpoints(entries.slice(1))));
    expect(changed && appliedHash(changed, ANNOTATIONS.appliedHash)).not.toBe(a && appliedHash(a, ANNOTATIONS.appliedHash));
  });
});

describe('desiredStoreSDConfigMap', () => {
  it('is a valid ConfigMap in the cluster namespace, owned by it, labelled for the hub to find (golden)', async () => {
    const configMap = desiredStoreSDConfigMap(cluster([{ member: 'eu-west', address: '192.0.2.10:10901' }]));
    expect(configMap).toBeDefined();
    new ConfigMap(configMap).validate();
    expect(Object.keys(configMap?.data ?? {})).toEqual([STORE_SD_KEY]);
    await expect(stringify(configMap, { lineWidth: 0 })).toMatchFileSnapshot('../../test/golden/store-endpoints-configmap.yaml');
  });

  it('is absent without spec.storeAPI, and an empty target list before any member reports', () => {
    expect(desiredStoreSDConfigMap(cluster(undefined, null))).toBeUndefined();
    expect(JSON.parse(desiredStoreSDConfigMap(cluster(undefined))?.data?.[STORE_SD_KEY] ?? '')).toEqual([{ targets: [] }]);
  });
});
