import { Ingresses, resourceType, Services, type ResourceType } from '@promfleet/kube/client';

import { FakeController, type ClusterHandle, type NamedObject } from '../fakes/fake-controller.ts';
import { isLoadBalancerMode, LOAD_BALANCER_ANNOTATION, loadBalancerAddress, type LoadBalancerIngress, type LoadBalancerMode } from './addresses.ts';

interface Exposed extends NamedObject {
  spec?: { type?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

// Each kind the load balancer serves, and whether one of its objects wants an address.
const KINDS = {
  ingress: { type: resourceType<Exposed>(Ingresses.group, Ingresses.version, Ingresses.plural, Ingresses.kind, true), wants: () => true },
  service: {
    type: resourceType<Exposed>(Services.group, Services.version, Services.plural, Services.kind, true),
    wants: (o: Exposed) => o.spec?.type === 'LoadBalancer',
  },
} satisfies Record<string, { type: ResourceType<Exposed>; wants: (o: Exposed) => boolean }>;

type Kind = keyof typeof KINDS;

/**
 * A cloud load balancer that only ever reports addresses: every Ingress and every Service of
 * type LoadBalancer gets the cluster's address in `status.loadBalancer.ingress` (documentation
 * ranges, so nothing can ever send traffic there). The address kind is the cluster's mode,
 * changeable at runtime, or the object's `testkit.promfleet.io/load-balancer` annotation.
 */
export class FakeLoadBalancer {
  readonly #cluster: ClusterHandle;
  readonly #controller: FakeController;
  readonly #informers;
  #mode: LoadBalancerMode;

  constructor(cluster: ClusterHandle, mode: LoadBalancerMode = 'ipv4') {
    this.#cluster = cluster;
    this.#mode = mode;
    this.#controller = new FakeController(cluster, 'load-balancer', (kind, key) => this.#reconcile(kind as Kind, key));
    this.#informers = {
      ingress: this.#controller.inform('ingress', KINDS.ingress.type),
      service: this.#controller.inform('service', KINDS.service.type),
    };
  }

  get mode(): LoadBalancerMode {
    return this.#mode;
  }

  /** Switches the cluster's address kind; every object without an override follows. */
  setMode(mode: LoadBalancerMode): void {
    if (!isLoadBalancerMode(mode)) throw new Error(`unknown load-balancer mode ${JSON.stringify(mode)}`);
    this.#mode = mode;
    for (const kind of Object.keys(KINDS) as Kind[]) {
      for (const object of this.#informers[kind].list()) this.#controller.enqueue(kind, `${object.metadata.namespace ?? ''}/${object.metadata.name}`);
    }
  }

  /** The address this cluster's objects get in a mode (default: the current one). */
  address(mode: LoadBalancerMode = this.#mode): LoadBalancerIngress {
    return loadBalancerAddress(this.#cluster, mode);
  }

  /** How many status writes it has made so far. */
  get writes(): number {
    return this.#controller.writes;
  }

  /** Starts watching; resolves once Ingresses and Services are listed. */
  async start(): Promise<void> {
    await this.#controller.start();
  }

  async stop(): Promise<void> {
    await this.#controller.stop();
  }

  async #reconcile(kind: Kind, key: string): Promise<undefined> {
    const object = this.#informers[kind].get(key);
    if (!object) return undefined;
    const desired = KINDS[kind].wants(object) ? [this.address(this.#modeOf(kind, key, object))] : [];
    const current = object.status?.loadBalancer?.ingress ?? [];
    if (summary(current) === summary(desired)) return undefined;
    const body = { metadata: { resourceVersion: object.metadata.resourceVersion }, status: { loadBalancer: { ingress: desired.length > 0 ? desired : null } } };
    await this.#controller.write(() =>
      this.#controller.resources(KINDS[kind].type).patch(object.metadata.name, object.metadata.namespace, body, { subresource: 'status' }),
    );
    return undefined;
  }

  #modeOf(kind: Kind, key: string, object: Exposed): LoadBalancerMode {
    const override = object.metadata.annotations?.[LOAD_BALANCER_ANNOTATION];
    if (override === undefined) return this.#mode;
    if (isLoadBalancerMode(override)) return override;
    this.#controller.logger.warn({ object: `${kind} ${key}`, annotation: override }, `ignoring ${LOAD_BALANCER_ANNOTATION} (want ipv4, ipv6 or hostname)`);
    return this.#mode;
  }
}

function summary(ingress: readonly { ip?: string; hostname?: string }[]): string {
  return ingress.map((entry) => entry.ip ?? entry.hostname ?? '').join(',');
}
