import { existsSync } from 'node:fs';

import { FIELD_MANAGERS, LABELS, type Condition, type PrometheusCluster, MemberClusters, PrometheusClusters, PrometheusReplicas } from '@promfleet/api';
import { ConfigMaps, errorMessage, KubeApiError, ResourceClient, Secrets, type KubeClient, type KubeObject, type ResourceType } from '@promfleet/kube/client';

import { describeObject, type BadInputCase, type CaseDocument, type Expectation } from './bad-input.ts';
import { eventsAbout } from './observe.ts';
import { MEMBER_NAMESPACE } from './promfleet-fleet.ts';

/** Admin clients on the hub and on every member. */
export interface CorpusFleet {
  readonly hub: KubeClient;
  readonly members: ReadonlyMap<string, KubeClient>;
}

export interface AppliedCase {
  readonly badInput: BadInputCase;
  /** What the API server answered when it refused the subject. */
  readonly rejection: string | undefined;
}

const TYPES: Readonly<Record<string, ResourceType>> = {
  PrometheusCluster: PrometheusClusters,
  MemberCluster: MemberClusters,
  PrometheusReplica: PrometheusReplicas,
  Secret: Secrets,
  ConfigMap: ConfigMaps,
};

function resources(client: KubeClient, object: KubeObject): ResourceClient<KubeObject & { status?: { conditions?: Condition[] } }> {
  const type = TYPES[object.kind ?? ''];
  if (!type) throw new Error(`the corpus runner does not know kind ${object.kind ?? '(none)'}`);
  return new ResourceClient(client, type);
}

const read = (client: KubeClient, object: KubeObject) => resources(client, object).get(object.metadata?.name ?? '', object.metadata?.namespace);

/**
 * Creates a case's documents as a user would, in order. A refusal of the subject is recorded
 * (it is what `rejected` cases expect); a refusal of any other document fails the case's setup.
 */
export async function applyCase(fleet: CorpusFleet, badInput: BadInputCase): Promise<AppliedCase> {
  let rejection: string | undefined;
  for (const document of badInput.documents) {
    try {
      if (document.target === 'hub') {
        await resources(fleet.hub, document.object).create(document.object);
        continue;
      }
      for (const client of fleet.members.values()) await resources(client, document.object).create(document.object);
    } catch (error) {
      if (document.object !== badInput.subject || !(error instanceof KubeApiError) || error.code !== 422) {
        throw new Error(`${badInput.file}: creating ${describeObject(document.object)} failed: ${errorMessage(error)}`, { cause: error });
      }
      rejection = error.status?.message ?? error.message;
    }
  }
  return { badInput, rejection };
}

/** What the fleet does not (yet) show of a case's expectations; empty once all hold. */
export async function unmetExpectations(fleet: CorpusFleet, applied: AppliedCase): Promise<string[]> {
  const unmet = await Promise.all(applied.badInput.expectations.map((expectation) => check(fleet, applied, expectation)));
  return unmet.filter((problem): problem is string => problem !== undefined);
}

async function check(fleet: CorpusFleet, applied: AppliedCase, expectation: Expectation): Promise<string | undefined> {
  const { subject } = applied.badInput;
  const name = subject.metadata?.name ?? '';
  if ('rejected' in expectation) {
    if (applied.rejection === undefined) return `${describeObject(subject)} was accepted; expected a 422 containing ${JSON.stringify(expectation.rejected)}`;
    return applied.rejection.includes(expectation.rejected)
      ? undefined
      : `rejected with ${JSON.stringify(applied.rejection)}, expected ${JSON.stringify(expectation.rejected)}`;
  }
  if ('pruned' in expectation) {
    const stored = await read(fleet.hub, subject);
    const value = expectation.pruned.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], stored);
    return stored && value === undefined ? undefined : `${expectation.pruned} is stored as ${JSON.stringify(value)}`;
  }
  if ('condition' in expectation) {
    const [kind = '', objectName = ''] = (expectation.on ?? describeObject(subject)).split('/');
    const target =
      applied.badInput.documents.find((document: CaseDocument) => document.object.kind === kind && document.object.metadata?.name === objectName)?.object ??
      subject;
    const { type, status, reason, message } = expectation.condition;
    const found = (await read(fleet.hub, target))?.status?.conditions?.find((condition) => condition.type === type);
    const matches = found?.status === status && found.reason === reason && found.message.includes(message);
    return matches ? undefined : `${describeObject(target)} ${type}: ${JSON.stringify(found ?? 'absent')}, expected ${status} ${reason} "${message}"`;
  }
  if ('entries' in expectation) {
    const cluster = (await read(fleet.hub, subject)) as PrometheusCluster | undefined;
    const entries = cluster?.status?.clusters ?? [];
    const { phase, message } = expectation.entries;
    const good =
      cluster?.status?.selected === expectation.selected &&
      entries.length === expectation.selected &&
      entries.every((entry) => entry.phase === phase && entry.message?.includes(message));
    return good
      ? undefined
      : `entries ${JSON.stringify(entries.map((entry) => [entry.name, entry.phase, entry.message]))}, expected ${String(expectation.selected)} × ${phase} "${message}"`;
  }
  if ('status' in expectation) {
    const status = ((await read(fleet.hub, subject)) as { status?: Record<string, unknown> } | undefined)?.status ?? {};
    const differing = Object.entries(expectation.status).filter(([field, value]) => JSON.stringify(status[field] ?? null) !== JSON.stringify(value));
    return differing.length === 0
      ? undefined
      : `status ${differing.map(([field]) => `${field}=${JSON.stringify(status[field])}`).join(', ')}, expected ${JSON.stringify(expectation.status)}`;
  }
  if ('noReplicas' in expectation) {
    const holding = await membersWhere(
      fleet,
      async (client) => (await new ResourceClient(client, PrometheusReplicas).get(name, MEMBER_NAMESPACE)) !== undefined,
    );
    return holding.length === 0 ? undefined : `a replica ${name} exists in ${holding.join(', ')}`;
  }
  if ('memberEvent' in expectation) {
    const missing = await membersWhere(fleet, async (client) => {
      const events = await eventsAbout(client, { kind: 'PrometheusReplica', name, namespace: MEMBER_NAMESPACE });
      return !events.some((event) => event.type === 'Warning' && event.reason === expectation.memberEvent.reason);
    });
    return missing.length === 0 ? undefined : `no Warning ${expectation.memberEvent.reason} Event about replica ${name} in ${missing.join(', ')}`;
  }
  if ('untouchedInMembers' in expectation) {
    const touched: string[] = [];
    for (const document of applied.badInput.documents.filter((d) => d.target === 'members')) {
      const where = await membersWhere(fleet, async (client) => !untouchedByHub(await read(client, document.object)));
      touched.push(...where.map((member) => `${describeObject(document.object)} in ${member}`));
    }
    return touched.length === 0 ? undefined : `gone or changed by the hub: ${touched.join(', ')}`;
  }
  return existsSync(expectation.fileAbsent) ? `${expectation.fileAbsent} exists: the exec plugin ran` : undefined;
}

/**
 * Still as its author made it: the spec at its first generation, no hub label, and no field
 * owned by the hub's field manager (the operator's status writes do not count).
 */
export function untouchedByHub(object: KubeObject | undefined): boolean {
  const managers = (object?.metadata?.managedFields ?? []).map((entry) => (entry as { manager?: string }).manager);
  return object?.metadata?.generation === 1 && object.metadata.labels?.[LABELS.managedBy] === undefined && !managers.includes(FIELD_MANAGERS.hub);
}

async function membersWhere(fleet: CorpusFleet, predicate: (client: KubeClient) => Promise<boolean>): Promise<string[]> {
  const results = await Promise.all([...fleet.members].map(async ([member, client]) => ((await predicate(client)) ? member : undefined)));
  return results.filter((member): member is string => member !== undefined);
}
