import { CREDENTIAL_LIFECYCLE, DAY_MS, type Condition, type MemberCluster } from '@promfleet/api';

import { printable } from '../output/printable.ts';
import { compareText } from '../output/table.ts';
import { formatAge, since } from './age.ts';

/** How the hub judges a member's credential, from its MemberCluster status. */
export type CredentialState = 'scoped' | 'over-privileged' | 'unverified' | 'expiring' | 'expired' | 'unknown';

/** One member as `promfleet members` shows it; also what `-o json|yaml` prints. */
export interface MemberView {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly namespace: string;
  /** The Ready condition's status, `Unknown` before the first probe. */
  readonly ready: Condition['status'];
  readonly readyReason?: string;
  readonly credential: CredentialState;
  readonly credentialExpiresAt?: string;
  readonly kubernetesVersion?: string;
  /** The replica operator version(s) its replicas report. */
  readonly operatorVersion?: string;
  readonly lastProbeTime?: string;
}

const EXPIRING_WITHIN_MS = CREDENTIAL_LIFECYCLE.expiringWithinDays * DAY_MS;

function conditionOf(member: MemberCluster, type: string): Condition | undefined {
  return member.status?.conditions?.find((condition) => condition.type === type);
}

function credentialState(member: MemberCluster, now: Date): CredentialState {
  const scoped = conditionOf(member, 'CredentialScoped');
  if (scoped?.status === 'False' && scoped.reason === 'OverPrivileged') return 'over-privileged';
  const remaining = credentialRemainingMs(member, now);
  if (remaining !== undefined && remaining <= 0) return 'expired';
  // The hub raises CredentialExpiring a week ahead; the date alone says so too if it has not yet.
  if (conditionOf(member, 'CredentialExpiring')?.status === 'True' || (remaining !== undefined && remaining < EXPIRING_WITHIN_MS)) return 'expiring';
  if (scoped?.status === 'True') return 'scoped';
  if (scoped?.reason === 'ScopeUnverifiable') return 'unverified';
  return 'unknown';
}

function credentialRemainingMs(member: MemberCluster, now: Date): number | undefined {
  const elapsed = since(member.status?.credentialExpiresAt, now);
  return elapsed === undefined ? undefined : -elapsed;
}

export function memberViews(members: readonly MemberCluster[], now: Date): MemberView[] {
  return [...members]
    .sort((a, b) => compareText(a.metadata.name, b.metadata.name))
    .map((member) => {
      const ready = conditionOf(member, 'Ready');
      const status = member.status;
      return {
        name: member.metadata.name,
        labels: sortedRecord(member.metadata.labels ?? {}),
        namespace: member.spec.namespace,
        ready: ready?.status ?? 'Unknown',
        ...(ready && ready.status !== 'True' ? { readyReason: ready.reason } : {}),
        credential: credentialState(member, now),
        ...(status?.credentialExpiresAt ? { credentialExpiresAt: status.credentialExpiresAt } : {}),
        // The member's own answer to /version.
        ...(status?.kubernetesVersion ? { kubernetesVersion: printable(status.kubernetesVersion) } : {}),
        ...(status?.operatorVersion ? { operatorVersion: printable(status.operatorVersion) } : {}),
        ...(status?.lastProbeTime ? { lastProbeTime: status.lastProbeTime } : {}),
      };
    });
}

/** `expires in 5 d` (whole days, rounded up) for an expiring credential; the state otherwise. */
export function describeCredential(view: MemberView, now: Date): string {
  if (view.credential !== 'expiring') return view.credential;
  const remaining = -(since(view.credentialExpiresAt, now) ?? Number.NaN);
  return Number.isNaN(remaining) ? 'expiring' : `expires in ${String(Math.ceil(remaining / DAY_MS))} d`;
}

export const MEMBER_COLUMNS = ['NAME', 'LABELS', 'READY', 'CREDENTIAL', 'KUBERNETES', 'OPERATOR', 'LAST PROBE'] as const;

export function memberRows(views: readonly MemberView[], now: Date): string[][] {
  return views.map((view) => {
    const labels = Object.entries(view.labels).map(([key, value]) => `${key}=${value}`);
    const probed = since(view.lastProbeTime, now);
    return [
      view.name,
      labels.length > 0 ? labels.join(',') : '<none>',
      view.readyReason ? `${view.ready} (${view.readyReason})` : view.ready,
      describeCredential(view, now),
      view.kubernetesVersion ?? '-',
      view.operatorVersion ?? '-',
      probed === undefined ? 'never' : `${formatAge(probed)} ago`,
    ];
  });
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareText(a, b)));
}
