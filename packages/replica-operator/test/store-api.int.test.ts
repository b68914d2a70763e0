import { Deployments, Ingresses, ResourceClient, Services } from '@promfleet/kube/client';
import { describe, expect, it } from 'vitest';

import { eventually, replica, useOperatorFleet, waitForPhase } from './harness.ts';

const env = useOperatorFleet();

describe('spec.storeAPI on a running replica', () => {
  it('follows LoadBalancer → Ingress → mutual TLS → removed, and reports where the StoreAPI is', async () => {
    const ns = await env.namespace('store-api');
    const services = new ResourceClient(env.api.client, Services);
    const ingresses = new ResourceClient(env.api.client, Ingresses);
    const deployments = new ResourceClient(env.api.client, Deployments);
    const storeAPI = async () => (await env.api.replicas.get('demo', ns))?.status?.output?.storeAPI;
    const queryArgs = async () => (await deployments.get('demo-thanos-query', ns))?.spec?.template.spec?.containers[0]?.args ?? [];

    await env.api.replicas.create(replica('demo', ns, { clusterName: 'eu', storeAPI: { expose: 'LoadBalancer' } }));
    await waitForPhase(env.api, ns, 'demo', 'Running');
    const service = await eventually('the LoadBalancer Service', () => services.get('demo-store-api', ns));
    expect(service.spec).toMatchObject({ type: 'LoadBalancer', ports: [{ name: 'grpc', port: 10901 }] });
    // The fake load balancer gives the Service the cluster's address; the status follows.
    const [address] = await eventually('the LoadBalancer address in status', async () => ((await storeAPI())?.length ? await storeAPI() : undefined));
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+:10901$/);

    await env.api.replicas.patch('demo', ns, { spec: { storeAPI: { expose: 'Ingress', host: 'store-{{ member.name }}.example.com' } } });
    await eventually('the Ingress address in status', async () => ((await storeAPI())?.[0] === 'store-eu.example.com:443' ? true : undefined));
    // The status follows the Ingress; the old Service goes in the same reconcile or the next.
    await eventually('the LoadBalancer Service gone', async () => ((await services.get('demo-store-api', ns)) === undefined ? true : undefined));
    const ingress = await ingresses.get('demo-store-api', ns);
    expect(ingress?.spec?.rules?.[0]?.host).toBe('store-eu.example.com');
    expect(ingress?.metadata?.annotations?.['nginx.ingress.kubernetes.io/backend-protocol']).toBe('GRPC');
    expect((await queryArgs()).some((arg) => arg.startsWith('--grpc-server-tls'))).toBe(false);

    await env.api.replicas.patch('demo', ns, { spec: { storeAPI: { mutualTLS: { serverSecret: 'store-tls', clientCASecret: 'global-ca' } } } });
    await eventually('Query serving gRPC with TLS and a client CA', async () =>
      (await queryArgs()).includes('--grpc-server-tls-client-ca=/etc/thanos/grpc-client-ca/ca.crt') ? true : undefined,
    );
    await eventually('the Ingress passing TLS through', async () =>
      (await ingresses.get('demo-store-api', ns))?.metadata?.annotations?.['nginx.ingress.kubernetes.io/ssl-passthrough'] === 'true' ? true : undefined,
    );

    await env.api.replicas.patch('demo', ns, { spec: { storeAPI: null } });
    await eventually('the StoreAPI Ingress gone and the status without it', async () =>
      (await ingresses.get('demo-store-api', ns)) === undefined && (await storeAPI()) === undefined ? true : undefined,
    );
    await eventually('Query serving gRPC without TLS again', async () =>
      (await queryArgs()).some((arg) => arg.startsWith('--grpc-server-tls')) ? undefined : true,
    );
    expect(await ingresses.get('demo', ns)).toBeUndefined();
  });

  it('refuses a label placeholder the operator cannot fill in, and leaves what runs alone', async () => {
    const ns = await env.namespace('store-api-label');
    await env.api.replicas.create(replica('demo', ns, { storeAPI: { expose: 'Ingress', host: 'store-{{ member.labels.region }}.example.com' } }));
    const failed = await waitForPhase(env.api, ns, 'demo', 'Failed');
    expect(failed.status?.conditions?.find((c) => c.type === 'Reconciled')).toMatchObject({ status: 'False', reason: 'SpecInvalid' });
    expect(failed.status?.conditions?.find((c) => c.type === 'Reconciled')?.message).toContain(
      'spec.storeAPI.host: {{ member.labels.region }}: member store-api-label has no label "region"',
    );
  });
});
