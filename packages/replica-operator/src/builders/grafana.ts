import { ANNOTATIONS } from '@promfleet/api';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IConfigMap, IEnvVar } from 'kubernetes-models/v1';
import { stringify } from 'yaml';

import { GRAFANA_ADMIN_KEYS } from '../config/grafana-admin.ts';
import { labels, PORTS, selectorLabels } from '../names.ts';
import { childMetadata, container, httpProbe, POD_SECURITY_CONTEXT, serviceHost, type BuildContext } from './context.ts';

const PROVISIONING = '/etc/grafana/provisioning';
const ADMIN_DIR = '/etc/grafana/admin';

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

/**
 * Grafana's settings, as environment variables. The admin comes from the Secret through the
 * image's `__FILE` variables — Grafana never starts with its default admin/admin — and, with the
 * database in an emptyDir, from the Secret again on every start (a password changed in the UI
 * does not outlive the pod). Nothing anonymous, no sign-up, no calls home; the data source proxy
 * reaches only the local Query.
 */
function grafanaEnv(context: BuildContext): IEnvVar[] {
  const query = `${serviceHost(context, context.names.query)}:${String(PORTS.queryHttp)}`;
  return [
    { name: 'GF_PATHS_PROVISIONING', value: PROVISIONING },
    { name: 'GF_PATHS_DATA', value: '/var/lib/grafana' },
    { name: 'GF_SECURITY_ADMIN_USER__FILE', value: `${ADMIN_DIR}/${GRAFANA_ADMIN_KEYS.user}` },
    { name: 'GF_SECURITY_ADMIN_PASSWORD__FILE', value: `${ADMIN_DIR}/${GRAFANA_ADMIN_KEYS.password}` },
    { name: 'GF_AUTH_ANONYMOUS_ENABLED', value: 'false' },
    { name: 'GF_USERS_ALLOW_SIGN_UP', value: 'false' },
    { name: 'GF_SECURITY_DISABLE_GRAVATAR', value: 'true' },
    { name: 'GF_SECURITY_DATA_SOURCE_PROXY_WHITELIST', value: query },
    // The session cookie travels only over HTTPS when the Ingress serves it.
    ...(context.replica.spec.ingress?.tls ? [{ name: 'GF_SECURITY_COOKIE_SECURE', value: 'true' }] : []),
    { name: 'GF_SNAPSHOTS_EXTERNAL_ENABLED', value: 'false' },
    { name: 'GF_ANALYTICS_REPORTING_ENABLED', value: 'false' },
    { name: 'GF_ANALYTICS_CHECK_FOR_UPDATES', value: 'false' },
    { name: 'GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES', value: 'false' },
    { name: 'GF_PLUGINS_PREINSTALL_DISABLED', value: 'true' },
    { name: 'GF_NEWS_NEWS_FEED_ENABLED', value: 'false' },
  ];
}

export function grafanaDeployment(context: BuildContext): IDeployment {
  const admin = context.grafanaAdmin;
  if (!admin) throw new Error('Grafana needs its admin Secret: the reconciler resolves it before building');
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMetadata(context, context.names.grafana, 'grafana'),
    spec: {
      replicas: 1,
      selector: { matchLabels: selectorLabels(context.name, 'grafana') },
      template: {
        metadata: { labels: labels(context.name, 'grafana'), annotations: { [ANNOTATIONS.grafanaAdminHash]: admin.hash } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { ...POD_SECURITY_CONTEXT, runAsUser: 472, runAsGroup: 472, fsGroup: 472 },
          containers: [
            container(
              {
                name: 'grafana',
                image: context.images.grafana,
                env: grafanaEnv(context),
                ports: [{ name: 'http', containerPort: PORTS.grafana }],
                readinessProbe: httpProbe('/api/health', 'http'),
                livenessProbe: httpProbe('/api/health', 'http', { failureThreshold: 6 }),
                volumeMounts: [
                  { name: 'datasources', mountPath: `${PROVISIONING}/datasources`, readOnly: true },
                  { name: 'admin', mountPath: ADMIN_DIR, readOnly: true },
                  { name: 'data', mountPath: '/var/lib/grafana' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
              context.replica.spec.resources?.grafana,
            ),
          ],
          volumes: [
            { name: 'datasources', configMap: { name: context.names.grafanaDatasources } },
            {
              name: 'admin',
              secret: { secretName: admin.secretName, defaultMode: 0o440, items: Object.values(GRAFANA_ADMIN_KEYS).map((key) => ({ key, path: key })) },
            },
            { name: 'data', emptyDir: {} },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}
