import type { IService, IServicePort } from 'kubernetes-models/v1';

import { PORTS, selectorLabels, type Component } from '../names.ts';
import { childMetadata, type BuildContext } from './context.ts';

function service(context: BuildContext, name: string, component: Component, ports: IServicePort[], headless: boolean): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(context, name, component),
    spec: {
      ...(headless ? { clusterIP: 'None', publishNotReadyAddresses: false } : { type: 'ClusterIP' }),
      selector: selectorLabels(context.name, component),
      ports,
    },
  };
}

const grpc: IServicePort = { name: 'grpc', port: PORTS.grpc, targetPort: 'grpc', protocol: 'TCP' };
const thanosHttp: IServicePort = { name: 'http', port: PORTS.thanosHttp, targetPort: 'http', protocol: 'TCP' };

/**
 * Headless Services give Thanos Query one SRV record per sidecar and store pod (`_grpc._tcp.…`);
 * Query and Grafana get ordinary ClusterIP Services for the Ingress and in-cluster users.
 */
export function services(context: BuildContext): IService[] {
  const list = [
    service(
      context,
      context.names.sidecarService,
      'prometheus',
      [grpc, thanosHttp, { name: 'web', port: PORTS.prometheusWeb, targetPort: 'web', protocol: 'TCP' }],
      true,
    ),
    service(context, context.names.store, 'thanos-store', [grpc, thanosHttp], true),
    service(context, context.names.query, 'thanos-query', [{ name: 'http', port: PORTS.queryHttp, targetPort: 'http', protocol: 'TCP' }, grpc], false),
  ];
  if (context.replica.spec.grafana?.enabled) {
    list.push(service(context, context.names.grafana, 'grafana', [{ name: 'http', port: PORTS.grafana, targetPort: 'http', protocol: 'TCP' }], false));
  }
  return list;
}
