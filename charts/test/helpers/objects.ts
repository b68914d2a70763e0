import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { CHART_NAMES, type ChartName } from '../../src/crd-copies.ts';
import { chartDirectory } from './helm.ts';

/** A rendered object, as helm printed it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
}

export interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  initContainers?: Container[];
}

/** A chart's variants: its `ci/*-values.yaml` files. */
export interface Variant {
  readonly chart: ChartName;
  readonly name: string;
  readonly file: string;
}

export function variants(): Variant[] {
  return CHART_NAMES.flatMap((chart) => {
    const dir = join(chartDirectory(chart), 'ci');
    return readdirSync(dir)
      .filter((file) => file.endsWith('-values.yaml'))
      .sort()
      .map((file) => ({ chart, name: file.replace(/-values\.yaml$/, ''), file: join(dir, file) }));
  });
}

export function ofKind(objects: readonly KubeObject[], kind: string): KubeObject[] {
  return objects.filter((object) => object.kind === kind);
}

/** The one object of these kinds; throws unless there is exactly one. */
export function only(objects: readonly KubeObject[], ...kinds: string[]): KubeObject {
  const found = objects.filter((object) => kinds.includes(object.kind));
  const [first] = found;
  if (found.length !== 1 || !first) throw new Error(`expected one ${kinds.join(' or ')}, found ${String(found.length)}`);
  return first;
}

export function podSpec(deployment: KubeObject): PodSpec {
  return (deployment as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
}

export function rulesOf(role: KubeObject): PolicyRule[] {
  return (role as unknown as { rules?: PolicyRule[] }).rules ?? [];
}

/** The main container of a controller's Deployment. */
/** The API-only replicas (`promfleet-hub api`) are named `…-api`; everything else is the controller's. */
export const isApiOnly = (object: KubeObject): boolean => object.metadata.name.endsWith('-api');

/** The controller's one object of a kind, leaving out the API-only Deployment and Service. */
export function controllerOnly(objects: readonly KubeObject[], kind: string): KubeObject {
  return only(
    objects.filter((object) => !isApiOnly(object)),
    kind,
  );
}

export function controllerContainer(objects: readonly KubeObject[]): Container {
  const container = podSpec(controllerOnly(objects, 'Deployment')).containers[0];
  if (!container) throw new Error('the Deployment has no container');
  return container;
}
