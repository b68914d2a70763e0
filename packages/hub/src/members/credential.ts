import { createHash } from 'node:crypto';

import { LABELS, type MemberCluster, parseMemberKubeconfig } from '@promfleet/api';
import type { Informer } from '@promfleet/kube/cache';
import { KubeConfig } from '@promfleet/kube/kubeconfig';
import type { ISecret } from 'kubernetes-models/v1';

import type { CredentialProblem } from './member-status.ts';

export type LoadedCredential =
  | { readonly ok: true; readonly kubeConfig: KubeConfig; readonly expiresAt: Date | undefined; readonly fingerprint: string }
  | ({ readonly ok: false } & CredentialProblem);

/**
 * Reads and validates a member's credential Secret from the hub's cache; never logs its content.
 * A MemberCluster may use only a Secret bound to it by the label `promfleet.io/member: <its
 * name>` (which `promfleet join` sets): otherwise anyone who can create a MemberCluster could
 * point it at another member's credential, then delete it to make the hub delete that member's
 * replicas.
 */
export function loadCredential(member: MemberCluster, secrets: Informer<ISecret>): LoadedCredential {
  const { name, namespace, key } = member.spec.kubeconfigSecretRef;
  const secret = secrets.get(`${namespace}/${name}`);
  if (!secret) return { ok: false, reason: 'SecretNotFound', message: `Secret ${namespace}/${name} not found` };
  // Cached objects are replaced, never changed, when the Secret changes: what was read from this one stands.
  let loaded = LOADED.get(secret);
  if (!loaded) {
    loaded = new Map();
    LOADED.set(secret, loaded);
  }
  const memo = `${member.metadata.name}\u0000${member.spec.namespace}\u0000${key}`;
  let credential = loaded.get(memo);
  if (!credential) {
    credential = readCredential(member, secret);
    loaded.set(memo, credential);
  }
  return credential;
}

/**
 * What was read from each cached Secret, per member: a PrometheusCluster's pass over a thousand
 * members must not parse and hash a thousand kubeconfigs.
 */
const LOADED = new WeakMap<ISecret, Map<string, LoadedCredential>>();

function readCredential(member: MemberCluster, secret: ISecret): LoadedCredential {
  const { name, namespace, key } = member.spec.kubeconfigSecretRef;
  const memberName = member.metadata.name;
  const boundTo = secret.metadata?.labels?.[LABELS.member];
  if (boundTo === undefined) {
    return {
      ok: false,
      reason: 'SecretNotBound',
      message: `Secret ${namespace}/${name} is not bound to a MemberCluster: the hub uses a credential Secret only when its label ${LABELS.member} names the MemberCluster (promfleet join sets it; Secrets made by hand or by an older join lack it). If it is ${memberName}'s credential, run: kubectl -n ${namespace} label secret ${name} ${LABELS.member}=${memberName}`,
    };
  }
  if (boundTo !== memberName) {
    return {
      ok: false,
      reason: 'SecretBoundToOtherMember',
      message: `Secret ${namespace}/${name} is bound to MemberCluster ${boundTo} (label ${LABELS.member}), not to ${memberName}: a MemberCluster may use only its own credential`,
    };
  }
  const encoded = secret.data?.[key];
  if (encoded === undefined) return { ok: false, reason: 'SecretKeyMissing', message: `Secret ${namespace}/${name} has no key ${key}` };
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const parsed = parseMemberKubeconfig(text, memberName);
  if (!parsed.ok) return { ok: false, reason: parsed.reason, message: `Secret ${namespace}/${name} key ${key}: ${parsed.message}` };
  const fingerprint = createHash('sha256').update(text).update('\u0000').update(member.spec.namespace).digest('hex');
  return { ok: true, kubeConfig: KubeConfig.fromOptions(parsed.options), expiresAt: parsed.expiresAt, fingerprint };
}
