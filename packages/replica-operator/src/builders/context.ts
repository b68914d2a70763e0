import { API_VERSION, PROMETHEUS_REPLICA, type PrometheusReplica, type ResourceRequirements } from '@promfleet/api';
import type { IConfigMap, IContainer, IPodSecurityContext, IProbe, ISecurityContext } from 'kubernetes-models/v1';

export type ObjectMetadata = NonNullable<IConfigMap['metadata']>;

import { resolveImages } from '../images.ts';
import { childNames, labels, type ChildNames, type Component } from '../names.ts';

/** Everything the builders need besides the replica; computed by the reconciler. */
export interface BuildInputs {
  /** The Prometheus config, its hash and the name of its marker file. */
  readonly config: { readonly text: string; readonly hash: string; readonly marker: string };
  /** The checked rule files of spec.rules, by file name; undefined without spec.rules. */
  readonly rules?: { readonly files: Readonly<Record<string, string>>; readonly hash: string } | undefined;
  /** Hash of the bucket Secret's objstore.yml: pods roll when it changes. */
  readonly bucketSecretHash: string;
  readonly clusterDomain: string;
  readonly ingressClassName?: string | undefined;
  /** `policy/v1` on current clusters, `policy/v1beta1` before 1.21 (chosen by discovery). */
  readonly pdbApiVersion: 'policy/v1' | 'policy/v1beta1';
  /** With Grafana: the admin Secret it reads its credentials from, and a hash of them (a change rolls Grafana). */
  readonly grafanaAdmin?: { readonly secretName: string; readonly hash: string } | undefined;
}

export interface BuildContext extends BuildInputs {
  readonly replica: PrometheusReplica;
  readonly name: string;
  readonly namespace: string;
  readonly names: ChildNames;
  readonly images: ReturnType<typeof resolveImages>;
  readonly clusterName: string;
}

export function buildContext(replica: PrometheusReplica, inputs: BuildInputs): BuildContext {
  const { name } = replica.metadata;
  const namespace = replica.metadata.namespace ?? 'default';
  return {
    ...inputs,
    replica,
    name,
    namespace,
    names: childNames(name),
    images: resolveImages(replica.spec.images),
    clusterName: replica.spec.clusterName ?? namespace,
  };
}

/** Metadata of a child: its name, the replica's namespace, labels, and the controller reference. */
export function childMetadata(
  context: Pick<BuildContext, 'replica' | 'name' | 'namespace'>,
  name: string,
  component: Component | undefined,
  extra: ObjectMetadata = {},
): ObjectMetadata {
  const uid = context.replica.metadata.uid;
  return {
    name,
    namespace: context.namespace,
    labels: component ? labels(context.name, component) : { ...labels(context.name, 'prometheus'), 'app.kubernetes.io/component': 'replica' },
    ...(uid
      ? { ownerReferences: [{ apiVersion: API_VERSION, kind: PROMETHEUS_REPLICA.kind, name: context.name, uid, controller: true, blockOwnerDeletion: true }] }
      : {}),
    ...extra,
  };
}

/** Non-root, no privilege escalation, nothing writable but mounted volumes. */
export const POD_SECURITY_CONTEXT: IPodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 65534,
  runAsGroup: 65534,
  fsGroup: 65534,
  seccompProfile: { type: 'RuntimeDefault' },
};

export const CONTAINER_SECURITY_CONTEXT: ISecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

export function httpProbe(path: string, port: number | string, options: { periodSeconds?: number; failureThreshold?: number } = {}): IProbe {
  return { httpGet: { path, port }, periodSeconds: options.periodSeconds ?? 10, failureThreshold: options.failureThreshold ?? 3, timeoutSeconds: 3 };
}

/** A container with the shared security context and, when given, its resources. */
export function container(fields: IContainer, resources: ResourceRequirements | undefined): IContainer {
  return {
    ...fields,
    securityContext: CONTAINER_SECURITY_CONTEXT,
    terminationMessagePolicy: 'FallbackToLogsOnError',
    ...(resources ? { resources: resources as NonNullable<IContainer['resources']> } : {}),
  };
}

/** Spreads pods of one component over nodes when there are two of them. */
export function preferredAntiAffinity(selector: Record<string, string>) {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } },
      ],
    },
  };
}

export function serviceHost(context: BuildContext, service: string): string {
  return `${service}.${context.namespace}.svc.${context.clusterDomain}`;
}
