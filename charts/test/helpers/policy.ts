import { ofKind, podSpec, rulesOf, type Container, type KubeObject, type PodSpec, type PolicyRule } from './objects.ts';

export interface Policy {
  /**
   * Whether a ClusterRole may name Secrets. Only the replica operator's may (with clusterWide),
   * by name: it reads the bucket Secrets replicas name and creates their Grafana admin Secrets.
   * The hub reads Secrets in its own namespace only, through a Role.
   */
  readonly clusterWideSecretReads: boolean;
  /** The only verbs any rule may grant on Secrets. */
  readonly secretVerbs: readonly string[];
}

/** Every violation of the charts' security policy in a set of rendered objects; empty when none. */
export function policyViolations(objects: readonly KubeObject[], policy: Policy): string[] {
  return [...rbacViolations(objects, policy), ...objects.filter((o) => o.kind === 'Deployment').flatMap((d) => podViolations(d.metadata.name, podSpec(d)))];
}

function rbacViolations(objects: readonly KubeObject[], policy: Policy): string[] {
  const problems: string[] = [];
  for (const role of [...ofKind(objects, 'ClusterRole'), ...ofKind(objects, 'Role')]) {
    for (const rule of rulesOf(role)) {
      const where = `${role.kind} ${role.metadata.name} ${JSON.stringify(rule)}`;
      const fields: (keyof PolicyRule)[] = ['apiGroups', 'resources', 'verbs', 'resourceNames', 'nonResourceURLs'];
      if (fields.some((field) => (rule[field] ?? []).some((value) => value.includes('*')))) problems.push(`${where}: wildcard`);
      if (role.kind === 'ClusterRole' && rule.resources.includes('secrets') && !policy.clusterWideSecretReads)
        problems.push(`${where}: secrets in a ClusterRole`);
      const excess = rule.resources.includes('secrets') ? rule.verbs.filter((verb) => !policy.secretVerbs.includes(verb)) : [];
      if (excess.length > 0) problems.push(`${where}: ${excess.join(', ')} on secrets`);
    }
  }
  return problems;
}

function podViolations(name: string, pod: PodSpec): string[] {
  const problems: string[] = [];
  const podContext = pod.securityContext ?? {};
  if (podContext.runAsNonRoot !== true) problems.push(`${name}: pod runAsNonRoot is not true`);
  if ((podContext.seccompProfile as { type?: string } | undefined)?.type !== 'RuntimeDefault')
    problems.push(`${name}: pod seccompProfile is not RuntimeDefault`);
  for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) problems.push(...containerViolations(`${name}/${container.name}`, container));
  return problems;
}

function containerViolations(where: string, container: Container): string[] {
  const problems: string[] = [];
  const context = container.securityContext ?? {};
  if (context.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
  if (context.runAsUser === 0) problems.push(`${where}: runs as root`);
  if (context.readOnlyRootFilesystem !== true) problems.push(`${where}: root filesystem is writable`);
  if (context.allowPrivilegeEscalation !== false) problems.push(`${where}: privilege escalation allowed`);
  if (context.privileged === true) problems.push(`${where}: privileged`);
  const drop = (context.capabilities as { drop?: string[]; add?: string[] } | undefined)?.drop ?? [];
  if (!drop.includes('ALL')) problems.push(`${where}: capabilities not dropped`);
  if (((context.capabilities as { add?: string[] } | undefined)?.add ?? []).length > 0) problems.push(`${where}: adds capabilities`);
  for (const kind of ['requests', 'limits'] as const) {
    const set = container.resources?.[kind] ?? {};
    if (!set.cpu || !set.memory) problems.push(`${where}: ${kind} lack cpu or memory`);
  }
  if (container.livenessProbe?.httpGet?.path !== '/healthz') problems.push(`${where}: liveness probe is not /healthz`);
  if (container.readinessProbe?.httpGet?.path !== '/readyz') problems.push(`${where}: readiness probe is not /readyz`);
  return problems;
}
