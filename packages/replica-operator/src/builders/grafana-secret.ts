import type { PrometheusReplica } from '@promfleet/api';
import type { ISecret } from 'kubernetes-models/v1';

import { GRAFANA_ADMIN_KEYS } from '../config/grafana-admin.ts';
import { childNames } from '../names.ts';
import { childMetadata } from './context.ts';

export const GRAFANA_ADMIN_USER = 'admin';

/**
 * The Grafana admin Secret the operator creates when a replica names none: created once (never
 * applied, so never rotated by the operator), owned by the replica so it goes with it. The
 * password is the caller's: this function stays pure.
 */
export function generatedGrafanaAdminSecret(replica: PrometheusReplica, password: string): ISecret {
  const { name } = replica.metadata;
  const owner = { replica, name, namespace: replica.metadata.namespace ?? 'default' };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: childMetadata(owner, childNames(name).grafanaAdmin, 'grafana'),
    type: 'Opaque',
    stringData: { [GRAFANA_ADMIN_KEYS.user]: GRAFANA_ADMIN_USER, [GRAFANA_ADMIN_KEYS.password]: password },
  };
}
