import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { crdFileName, type KindName } from '@promfleet/api';
import { repositoryRoot } from '@promfleet/testkit';
import { Ajv } from 'ajv';
import { Deployment as DeploymentModel } from 'kubernetes-models/apps/v1';
import { CustomResourceDefinition as CRDModel } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget as PDBModel } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parse } from 'yaml';

import { PROMETHEUS_RULE_SCHEMA, SERVICE_MONITOR_SCHEMA } from './monitoring-schemas.ts';
import type { KubeObject } from './objects.ts';

interface Validatable {
  validate(): void;
}

// Built-in kinds by apiVersion/kind: each model validates against the Kubernetes OpenAPI schema.
const MODELS: Record<string, new (data: never) => Validatable> = {
  'apps/v1/Deployment': DeploymentModel,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'policy/v1/PodDisruptionBudget': PDBModel,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CRDModel,
};

const ajv = new Ajv({ allErrors: true, strict: false });
const CUSTOM: Record<string, ReturnType<typeof ajv.compile>> = {
  'monitoring.coreos.com/v1/ServiceMonitor': ajv.compile(SERVICE_MONITOR_SCHEMA),
  'monitoring.coreos.com/v1/PrometheusRule': ajv.compile(PROMETHEUS_RULE_SCHEMA),
};

/** Why a rendered object is invalid, or undefined when it is valid. Unknown kinds are invalid. */
export function validationError(object: KubeObject): string | undefined {
  const type = `${object.apiVersion}/${object.kind}`;
  const Model = MODELS[type];
  if (Model) {
    try {
      new Model(object as never).validate();
      return type.endsWith('CustomResourceDefinition') ? crdMismatch(object) : undefined;
    } catch (error) {
      return `${type} ${object.metadata.name}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const check = CUSTOM[type];
  if (!check) return `${type} ${object.metadata.name}: no validator for this kind`;
  return check(object) ? undefined : `${type} ${object.metadata.name}: ${ajv.errorsText(check.errors)}`;
}

/**
 * A rendered CRD must be the generated one in crds/ with only Helm's labels and the keep
 * annotation added, and its schema must compile.
 */
function crdMismatch(object: KubeObject): string | undefined {
  const kind = (object as unknown as { spec: { names: { kind: KindName } } }).spec.names.kind;
  const generated = parse(readFileSync(join(repositoryRoot(), 'crds', crdFileName(kind)), 'utf8')) as KubeObject;
  const { labels: _labels, annotations, ...metadata } = object.metadata;
  if (annotations?.['helm.sh/resource-policy'] !== 'keep') return `CRD ${object.metadata.name}: no helm.sh/resource-policy: keep`;
  if (JSON.stringify(sortKeys({ ...object, metadata })) !== JSON.stringify(sortKeys(generated)))
    return `CRD ${object.metadata.name} differs from crds/${crdFileName(kind)}`;
  const versions = (object as unknown as { spec: { versions: { schema: { openAPIV3Schema: object } }[] } }).spec.versions;
  for (const version of versions) ajv.compile(version.schema.openAPIV3Schema);
  return undefined;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, child]) => [key, sortKeys(child)]),
  );
}
