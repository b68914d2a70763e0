import { createHash } from 'node:crypto';

import type { MemberCluster } from '@promfleet/api';
import { parseMemberKubeconfig, type Informer } from '@promfleet/kube';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ISecret } from 'kubernetes-models/v1';

import type { CredentialProblem } from './member-status.ts';

export type LoadedCredential =
  | { readonly ok: true; readonly kubeConfig: KubeConfig; readonly expiresAt: Date | undefined; readonly fingerprint: string }
  | ({ readonly ok: false } & CredentialProblem);

/** Reads and validates a member's credential Secret from the hub's cache; never logs its content. */
export function loadCredential(member: MemberCluster, secrets: Informer<ISecret>): LoadedCredential {
  const { name, namespace, key } = member.spec.kubeconfigSecretRef;
  const secret = secrets.get(`${namespace}/${name}`);
  if (!secret) return { ok: false, reason: 'SecretNotFound', message: `Secret ${namespace}/${name} not found` };
  const encoded = secret.data?.[key];
  if (encoded === undefined) return { ok: false, reason: 'SecretKeyMissing', message: `Secret ${namespace}/${name} has no key ${key}` };
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const parsed = parseMemberKubeconfig(text, member.metadata.name);
  if (!parsed.ok) return { ok: false, reason: parsed.reason, message: `Secret ${namespace}/${name} key ${key}: ${parsed.message}` };
  const fingerprint = createHash('sha256').update(text).update('\u0000').update(member.spec.namespace).digest('hex');
  return { ok: true, kubeConfig: parsed.kubeConfig, expiresAt: parsed.expiresAt, fingerprint };
}
