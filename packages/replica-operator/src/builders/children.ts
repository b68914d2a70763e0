import type { PrometheusReplica } from '@promfleet/api';
import type { IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IConfigMap, IService, IServiceAccount } from 'kubernetes-models/v1';
import type { IIngress, INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IRole, IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';

import { compactorService, compactorStatefulSet } from './compactor.ts';
import { buildContext, type BuildInputs } from './context.ts';
import { grafanaDatasources, grafanaDeployment } from './grafana.ts';
import { ingress } from './ingress.ts';
import { networkPolicies } from './network-policy.ts';
import { podDisruptionBudgets, type PodDisruptionBudget } from './pdb.ts';
import { prometheusConfigMap, prometheusRulesConfigMap, prometheusStatefulSet } from './prometheus.ts';
import { queryDeployment } from './query.ts';
import { discoveryRole, discoveryRoleBinding, prometheusServiceAccount } from './service-account.ts';
import { services } from './services.ts';
import { storeStatefulSet } from './store.ts';
import { storeAPIIngress, storeAPIService } from './store-api.ts';

/** Every object a PrometheusReplica should have, by kind. Absent optional parts are simply not listed. */
export interface DesiredChildren {
  readonly configMaps: IConfigMap[];
  readonly statefulSets: IStatefulSet[];
  readonly deployments: IDeployment[];
  readonly services: IService[];
  readonly ingresses: IIngress[];
  readonly podDisruptionBudgets: PodDisruptionBudget[];
  readonly serviceAccounts: IServiceAccount[];
  readonly roles: IRole[];
  readonly roleBindings: IRoleBinding[];
  readonly networkPolicies: INetworkPolicy[];
}

const present = <T>(...objects: (T | undefined)[]): T[] => objects.filter((object): object is T => object !== undefined);

/** The desired children of a (validated, defaulted) replica: a pure function, golden-tested. */
export function desiredChildren(replica: PrometheusReplica, inputs: BuildInputs): DesiredChildren {
  const context = buildContext(replica, inputs);
  const grafana = replica.spec.grafana?.enabled === true;
  return {
    configMaps: present(prometheusConfigMap(context), prometheusRulesConfigMap(context), grafana ? grafanaDatasources(context) : undefined),
    statefulSets: present(prometheusStatefulSet(context), storeStatefulSet(context), compactorStatefulSet(context)),
    deployments: [queryDeployment(context), ...(grafana ? [grafanaDeployment(context)] : [])],
    services: present(...services(context), compactorService(context), storeAPIService(context)),
    ingresses: present(ingress(context), storeAPIIngress(context)),
    podDisruptionBudgets: podDisruptionBudgets(context),
    serviceAccounts: [prometheusServiceAccount(context)],
    roles: present(discoveryRole(context)),
    roleBindings: present(discoveryRoleBinding(context)),
    networkPolicies: networkPolicies(context),
  };
}
