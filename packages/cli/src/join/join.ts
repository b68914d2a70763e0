import { ANNOTATIONS, FIELD_MANAGERS, LABELS, MEMBER_CREDENTIAL, type MemberCluster, MemberClusters, memberUserName } from '@promfleet/api';
import { Applier } from '@promfleet/kube/apply';
import { ResourceClient, RoleBindings, Roles, Secrets, ServiceAccounts, type KubeClient, type ObjectOf } from '@promfleet/kube/client';

import { applyObject, ensureNamespace } from '../apply-step.ts';
import { describeObject, StepLog, type ProgressListener, type Step } from '../progress.ts';
import { otherBindings, rightsElsewhere } from './bindings.ts';
import { describeFailure, JoinError } from './errors.ts';
import {
  credentialSecret,
  credentialSecretName,
  issuesBoundTokens,
  memberCluster,
  role,
  roleBinding,
  serviceAccount,
  storedKubeconfig,
  type ISecret,
} from './objects.ts';
import { DEFAULT_TOKEN_TTL_SECONDS, hubNamespaceOf, joinInputProblems, memberNamespaceOf } from './options.ts';
import { readOwnCredential } from './ownership.ts';
import { PreconditionError, requireMemberClusterCRD, requireReplicaCRD } from './preflight.ts';
import { replaceServiceAccount, revokePreviousTokens } from './revoke.ts';
import { checkStoredToken, credentialFor, requestToken, type Credential, type CredentialTarget } from './token.ts';
import { createTokenBinding, deleteTokenBinding, type TokenBinding } from './token-binding.ts';
import { describeExcess, verifyCredential } from './verify.ts';

export interface JoinOptions {
  /** The member's name: a DNS label of at most 63 characters. */
  readonly name: string;
  /** Admin client for the member. */
  readonly member: KubeClient;
  /** Admin client for the hub. */
  readonly hub: KubeClient;
  /** PEM of the member API server's CA, written into the credential's kubeconfig. */
  readonly memberCA: string;
  /** Member namespace of the PrometheusReplicas; default `monitoring`. */
  readonly namespace?: string | undefined;
  /** Hub namespace of the credential Secret; default `promfleet-system`. */
  readonly hubNamespace?: string | undefined;
  /** The MemberCluster's labels. Given, they replace its labels; absent, a re-run keeps them. */
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /** Lifetime of a newly issued token; default one year. */
  readonly tokenTTLSeconds?: number | undefined;
  /** API server URL the hub should use for the member; default the member client's. */
  readonly server?: string | undefined;
  /** Issue a new token even when the stored one is still good. */
  readonly rotate?: boolean | undefined;
  /** Register a credential whose rules review is incomplete, relying on join's probes alone. */
  readonly acceptIncompleteRules?: boolean | undefined;
  readonly onProgress?: ProgressListener | undefined;
}

export interface JoinResult {
  readonly name: string;
  readonly namespace: string;
  readonly hubNamespace: string;
  readonly server: string;
  /** Whether this run issued a token or kept the one the hub had. */
  readonly token: 'issued' | 'kept';
  /** Earlier tokens this run revoked (the Secrets they were bound to, deleted). */
  readonly revokedTokens: number;
  readonly tokenExpiresAt: Date | undefined;
  readonly steps: readonly Step[];
  /** Whether anything was written anywhere. */
  readonly changed: boolean;
}

interface Settings {
  readonly name: string;
  readonly namespace: string;
  readonly hubNamespace: string;
  readonly target: CredentialTarget;
}

/**
 * Registers a member with the hub through a credential that can manage PrometheusReplicas in
 * one member namespace and nothing else, verified with that credential before the hub gets it.
 *
 * Order: checks (reads only) → the credential in the member → its verification → the Secret
 * and MemberCluster in the hub. A failure before the last step leaves the hub untouched, and
 * the error lists what this run made in the member. Every write is a server-side apply that
 * is skipped when the live object already matches, so a re-run writes only what differs.
 */
export async function join(options: JoinOptions): Promise<JoinResult> {
  const problems = joinInputProblems(options);
  if (problems.length > 0) throw new PreconditionError(`cannot join ${options.name}: ${problems.join('; ')}`);
  const namespace = memberNamespaceOf(options.namespace);
  const settings: Settings = {
    name: options.name,
    namespace,
    hubNamespace: hubNamespaceOf(options.hubNamespace),
    target: { member: options.name, namespace, server: options.server ?? options.member.server, ca: options.memberCA },
  };
  const log = new StepLog(options.onProgress);
  const applier = new Applier(FIELD_MANAGERS.cli, { hashAnnotation: ANNOTATIONS.appliedHash });
  try {
    await requireMemberClusterCRD(options.hub, log);
    await requireReplicaCRD(options.member, options.name, log);
    const registration = await readRegistration(options.hub, settings);
    const live = await readOwnCredential(options.member, options.name, namespace);

    await ensureNamespace(applier, options.member, namespace, log, 'member');
    // A ServiceAccount a join before token binding made stays as it is until a token is issued, which re-creates it.
    const predatesBinding = live.serviceAccount !== undefined && !issuesBoundTokens(live.serviceAccount);
    const account = await applyObject(
      applier,
      new ResourceClient(options.member, ServiceAccounts),
      serviceAccount(options.name, namespace, { boundTokens: !predatesBinding }),
      log,
      'member',
      live.serviceAccount,
    );
    await applyObject(applier, new ResourceClient(options.member, Roles), role(options.name, namespace), log, 'member', live.role);
    await applyObject(applier, new ResourceClient(options.member, RoleBindings), roleBinding(options.name, namespace), log, 'member', live.roleBinding);

    let revoked = 0;
    const obtained = await obtainCredential(options, settings, { kubeconfig: storedKubeconfig(registration.secret), account, predatesBinding }, applier, log);
    const { credential } = obtained;
    try {
      try {
        await verify(options.member, credential, settings, log, options.acceptIncompleteRules ?? false);
        await ensureNamespace(applier, options.hub, settings.hubNamespace, log, 'hub');
        await applyObject(
          applier,
          new ResourceClient(options.hub, Secrets),
          credentialSecret(options.name, settings.hubNamespace, credential.kubeconfig),
          log,
          'hub',
        );
        const labels = options.labels ?? registration.memberCluster?.metadata.labels ?? {};
        await applyMemberCluster(applier, options.hub, memberCluster(options.name, { hubNamespace: settings.hubNamespace, namespace, labels }), log);
      } catch (error) {
        if (!obtained.binding) throw error;
        // The new token goes nowhere: revoke it at once, and say so in the error.
        await deleteTokenBinding(options.member, namespace, obtained.binding.name, log, 'revokes the token this run issued').catch(() => undefined);
        throw error instanceof JoinError ? new JoinError(error.member, error.reason, log, { cause: error.cause, excess: error.excess }) : error;
      }
      // The hub has the new token: every token join issued before stops working.
      if (obtained.binding)
        revoked = await revokePreviousTokens(options.member, { member: options.name, namespace, keep: obtained.binding.name }, obtained.previous, log);
    } finally {
      await credential.client.close();
      await obtained.previous?.client.close();
    }
    return {
      name: options.name,
      namespace,
      hubNamespace: settings.hubNamespace,
      server: settings.target.server,
      token: obtained.binding ? 'issued' : 'kept',
      revokedTokens: revoked,
      tokenExpiresAt: credential.expiresAt,
      steps: log.steps,
      changed: log.steps.some((step) => ['created', 'updated', 'issued', 'deleted', 'revoked'].includes(step.outcome)),
    };
  } catch (error) {
    if (error instanceof JoinError) throw error;
    const reason =
      error instanceof PreconditionError
        ? `cannot join ${options.name}: ${error.message}`
        : `join ${options.name} failed: ${describeFailure(error, { member: options.member.cluster, hub: options.hub.cluster })}`;
    throw new JoinError(options.name, reason, log, { cause: error });
  }
}

interface Registration {
  readonly memberCluster: MemberCluster | undefined;
  readonly secret: ISecret | undefined;
}

/** What the hub already has for this member; refuses what a join would silently orphan or take over. */
async function readRegistration(hub: KubeClient, settings: Settings): Promise<Registration> {
  const [existing, secret] = await Promise.all([
    new ResourceClient(hub, MemberClusters).get(settings.name),
    new ResourceClient(hub, Secrets).get(credentialSecretName(settings.name), settings.hubNamespace),
  ]);
  const joinedNamespace = existing?.spec.namespace;
  if (joinedNamespace !== undefined && joinedNamespace !== settings.namespace) {
    throw new PreconditionError(
      `${settings.name} is already joined with member namespace ${joinedNamespace}: re-run with --namespace ${joinedNamespace}, or unjoin it first`,
    );
  }
  const secretNamespace = existing?.spec.kubeconfigSecretRef.namespace;
  if (secretNamespace !== undefined && secretNamespace !== settings.hubNamespace) {
    throw new PreconditionError(
      `${settings.name} is already joined with its Secret in hub namespace ${secretNamespace}: re-run with --hub-namespace ${secretNamespace}, or unjoin it first`,
    );
  }
  if (secret && secret.metadata?.labels?.[LABELS.member] !== settings.name) {
    throw new PreconditionError(
      `${describeObject('Secret', credentialSecretName(settings.name), settings.hubNamespace)} exists but was not made by promfleet join for ${settings.name}: remove or rename it`,
    );
  }
  return { memberCluster: existing, secret };
}

/** The credential join registers: the stored one, or a new token with the Secret it is bound to and the token it replaces. */
interface Obtained {
  readonly credential: Credential;
  /** Set when a token was issued: the Secret it is bound to. */
  readonly binding?: TokenBinding;
  /** The stored token this run replaces while the member still accepted it: revoked once the hub has the new one. */
  readonly previous?: Credential;
}

/**
 * The stored token when it is still good (and no rotation was asked for), else a new one bound to
 * a Secret of its own — from a new ServiceAccount when the current one predates token binding,
 * since only that revokes the unbound tokens it may have.
 */
async function obtainCredential(
  options: JoinOptions,
  settings: Settings,
  stored: { kubeconfig: string | undefined; account: ObjectOf<typeof ServiceAccounts>; predatesBinding: boolean },
  applier: Applier,
  log: StepLog,
): Promise<Obtained> {
  const subject = `token for ${describeObject('ServiceAccount', MEMBER_CREDENTIAL.serviceAccount, settings.namespace)}`;
  let reason = options.rotate ? 'rotation requested' : 'the hub has no token yet';
  let previous: Credential | undefined;
  if (stored.kubeconfig !== undefined) {
    const verdict = await checkStoredToken(stored.kubeconfig, settings.target, stored.account.metadata?.uid, new Date());
    if (verdict.usable && !options.rotate) {
      log.record({ scope: 'member', subject, outcome: 'kept', detail: expiry(verdict.credential.expiresAt) });
      return { credential: verdict.credential };
    }
    if (verdict.usable) previous = verdict.credential;
    else if (!options.rotate) reason = verdict.reason;
  }
  try {
    const account = stored.predatesBinding
      ? await replaceServiceAccount(options.member, applier, serviceAccount(settings.name, settings.namespace), stored.account, log)
      : stored.account;
    const binding = await createTokenBinding(options.member, settings.name, settings.namespace, account.metadata?.uid ?? '', log);
    try {
      const token = await requestToken(options.member, settings.namespace, options.tokenTTLSeconds ?? DEFAULT_TOKEN_TTL_SECONDS, binding);
      const credential = credentialFor(settings.target, token);
      log.record({ scope: 'member', subject, outcome: 'issued', detail: `${reason}; ${expiry(credential.expiresAt)}` });
      return { credential, binding, ...(previous ? { previous } : {}) };
    } catch (error) {
      await deleteTokenBinding(options.member, settings.namespace, binding.name, log, 'no token was issued').catch(() => undefined);
      throw error;
    }
  } catch (error) {
    await previous?.client.close();
    throw error;
  }
}

function expiry(expiresAt: Date | undefined): string {
  return expiresAt ? `expires ${expiresAt.toISOString()}` : 'does not expire';
}

/**
 * Proves with the credential itself that it can manage PrometheusReplicas there and do nothing
 * else, and finds (with the member admin client) every other binding that names it, which is
 * how rights in other namespaces, invisible to its own namespace's rules review, come to light.
 */
async function verify(member: KubeClient, credential: Credential, settings: Settings, log: StepLog, acceptIncompleteRules: boolean): Promise<void> {
  const [verdict, bindings] = await Promise.all([verifyCredential(credential.client, settings.namespace), otherBindings(member, settings.namespace)]);
  const otherNamespaces = [
    ...new Set(bindings.flatMap((binding) => (binding.namespace !== undefined && binding.namespace !== settings.namespace ? [binding.namespace] : []))),
  ];
  const excess = [...verdict.excess, ...(await rightsElsewhere(credential.client, otherNamespaces, verdict.excess))];
  const account = describeObject('ServiceAccount', MEMBER_CREDENTIAL.serviceAccount, settings.namespace);
  if (excess.length > 0) {
    const where =
      bindings.length > 0
        ? `${account} is also bound by ${bindings.map((binding) => binding.description).join(', ')}`
        : `is ${account} bound elsewhere, e.g. through a group?`;
    throw new JoinError(settings.name, `refusing to register ${settings.name}: the credential can also ${describeExcess(excess)} (${where})`, log, { excess });
  }
  if (!verdict.canManageReplicas) {
    throw new JoinError(
      settings.name,
      `refusing to register ${settings.name}: the credential cannot manage PrometheusReplicas: ${verdict.replicaDenial ?? 'denied'}`,
      log,
    );
  }
  if (verdict.unverifiable && !acceptIncompleteRules) {
    throw new JoinError(
      settings.name,
      `refusing to register ${settings.name}: ${verdict.unverifiable}, so the credential's scope cannot be proven; re-run with --accept-incomplete-rules to rely on join's probes alone (Secrets, other namespaces and cluster-wide denied)`,
      log,
    );
  }
  const incomplete = verdict.unverifiable ? '; the member could not list every rule, so only the probes vouch for the rest (--accept-incomplete-rules)' : '';
  log.record({
    scope: 'member',
    subject: `credential ${memberUserName(settings.name)}`,
    outcome: 'verified',
    detail: `at ${settings.target.server}: may create PrometheusReplicas in ${settings.namespace}; denied Secrets, other namespaces and cluster-wide${incomplete}`,
  });
}

/**
 * Applies the MemberCluster, then removes labels other field managers added: the labels join
 * was given are the member's labels, and what selects it must not drift from them.
 */
async function applyMemberCluster(applier: Applier, hub: KubeClient, desired: ReturnType<typeof memberCluster>, log: StepLog): Promise<void> {
  const members = new ResourceClient(hub, MemberClusters);
  const applied = await applyObject(applier, members, desired, log, 'hub');
  const wanted = desired.metadata.labels ?? {};
  const extra = Object.keys(applied.metadata.labels ?? {}).filter((key) => !(key in wanted));
  if (extra.length === 0) return;
  await members.patch(desired.metadata.name, undefined, { metadata: { labels: Object.fromEntries(extra.map((key) => [key, null])) } });
  log.record({
    scope: 'hub',
    subject: describeObject('MemberCluster', desired.metadata.name),
    outcome: 'updated',
    detail: `removed labels ${extra.join(', ')}`,
  });
}
