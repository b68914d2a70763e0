import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The metrics every promfleet process exports, in one registry. Components receive this object
 * rather than registering metrics themselves, so names and labels are defined once.
 */
export class KitMetrics {
  readonly registry: Registry;
  readonly kubeRequests: Counter<'cluster' | 'verb' | 'resource' | 'code'>;
  readonly reconciles: Counter<'controller' | 'result'>;
  readonly reconcileDuration: Histogram<'controller'>;
  readonly leader: Gauge<'lease'>;
  readonly informerObjects: Gauge<'cluster' | 'resource'>;
  readonly informerRelists: Counter<'cluster' | 'resource' | 'reason'>;
  readonly informerWatchRestarts: Counter<'cluster' | 'resource' | 'reason'>;
  readonly httpRequests: Counter<'method' | 'route' | 'code'>;

  constructor(registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.kubeRequests = new Counter({
      name: 'promfleet_kube_requests_total',
      help: 'Requests to Kubernetes API servers, by cluster, verb, resource and HTTP status code (error or timeout: no response).',
      labelNames: ['cluster', 'verb', 'resource', 'code'],
      registers,
    });
    this.reconciles = new Counter({
      name: 'promfleet_reconcile_total',
      help: 'Reconciles by controller and result (success, requeue, error, terminal).',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: 'promfleet_reconcile_duration_seconds',
      help: 'Duration of reconciles by controller.',
      labelNames: ['controller'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.leader = new Gauge({
      name: 'promfleet_leader',
      help: '1 while this process holds the leader Lease, else 0.',
      labelNames: ['lease'],
      registers,
    });
    this.informerObjects = new Gauge({
      name: 'promfleet_informer_objects',
      help: 'Objects in an informer cache.',
      labelNames: ['cluster', 'resource'],
      registers,
    });
    this.informerRelists = new Counter({
      name: 'promfleet_informer_relists_total',
      help: 'Full lists by informers, by reason (initial, gone, error, silent).',
      labelNames: ['cluster', 'resource', 'reason'],
      registers,
    });
    this.httpRequests = new Counter({
      name: 'promfleet_http_requests_total',
      help: 'Requests this process answered over HTTP (endpoints API, health, metrics), by method, route and status code.',
      labelNames: ['method', 'route', 'code'],
      registers,
    });
    this.informerWatchRestarts = new Counter({
      name: 'promfleet_informer_watch_restarts_total',
      help: 'Watches re-opened by informers, by reason (timeout, error).',
      labelNames: ['cluster', 'resource', 'reason'],
      registers,
    });
  }

  /** Adds Node's process metrics (memory, CPU, event loop lag) under the `promfleet_` prefix. */
  collectProcessMetrics(): this {
    collectDefaultMetrics({ register: this.registry, prefix: 'promfleet_' });
    return this;
  }
}
