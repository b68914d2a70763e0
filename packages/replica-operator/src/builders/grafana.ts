import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IConfigMap } from 'kubernetes-models/v1';
import { stringify } from 'yaml';

import { labels, PORTS, selectorLabels } from '../names.ts';
import { childMetadata, container, httpProbe, POD_SECURITY_CONTEXT, serviceHost, type BuildContext } from './context.ts';

const PROVISIONING = '/etc/grafana/provisioning';

/** Grafana's provisioned data source: the local Thanos Query, deduplicating HA pairs. */
export function grafanaDatasources(context: BuildContext): IConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMetadata(context, context.names.grafanaDatasources, 'grafana'),
    data: {
      'datasources.yaml': stringify({
        apiVersion: 1,
        datasources: [
          {
            name: 'Thanos',
            type: 'prometheus',
            access: 'proxy',
            isDefault: true,
            url: `http://${serviceHost(context, context.names.query)}:${String(PORTS.queryHttp)}`,
            jsonData: { prometheusType: 'Thanos', timeInterval: '30s' },
            editable: false,
          },
        ],
      }),
    },
  };
}

export function grafanaDeployment(context: BuildContext): IDeployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMetadata(context, context.names.grafana, 'grafana'),
    spec: {
      replicas: 1,
      selector: { matchLabels: selectorLabels(context.name, 'grafana') },
      template: {
        metadata: { labels: labels(context.name, 'grafana') },
        spec: {
          securityContext: { ...POD_SECURITY_CONTEXT, runAsUser: 472, runAsGroup: 472, fsGroup: 472 },
          containers: [
            container(
              {
                name: 'grafana',
                image: context.images.grafana,
                env: [
                  { name: 'GF_PATHS_PROVISIONING', value: PROVISIONING },
                  { name: 'GF_PATHS_DATA', value: '/var/lib/grafana' },
                  { name: 'GF_ANALYTICS_REPORTING_ENABLED', value: 'false' },
                  { name: 'GF_ANALYTICS_CHECK_FOR_UPDATES', value: 'false' },
                ],
                ports: [{ name: 'http', containerPort: PORTS.grafana }],
                readinessProbe: httpProbe('/api/health', 'http'),
                livenessProbe: httpProbe('/api/health', 'http', { failureThreshold: 6 }),
                volumeMounts: [
                  { name: 'datasources', mountPath: `${PROVISIONING}/datasources`, readOnly: true },
                  { name: 'data', mountPath: '/var/lib/grafana' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
              context.replica.spec.resources?.grafana,
            ),
          ],
          volumes: [
            { name: 'datasources', configMap: { name: context.names.grafanaDatasources } },
            { name: 'data', emptyDir: {} },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}
