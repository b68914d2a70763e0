import {
  buildMemberKubeconfig,
  CREDENTIAL_LIFECYCLE,
  DAY_MS,
  GROUP,
  MEMBER_CREDENTIAL,
  memberUserName,
  parseMemberKubeconfig,
  PROMETHEUS_REPLICA,
} from '@promfleet/api';
import { canI, isUnauthorized, KubeClient } from '@promfleet/kube/client';
import { KubeConfig } from '@promfleet/kube/kubeconfig';

import type { TokenBinding } from './token-binding.ts';

/** A stored token is replaced when it would expire within this long. */
export const TOKEN_RENEW_BEFORE_MS = CREDENTIAL_LIFECYCLE.renewWithinDays * DAY_MS;

export interface CredentialTarget {
  readonly member: string;
  readonly namespace: string;
  readonly server: string;
  readonly ca: string;
}

/** A token with the kubeconfig that carries it and a client that authenticates with it. */
export interface Credential {
  readonly token: string;
  readonly kubeconfig: string;
  readonly expiresAt: Date | undefined;
  readonly client: KubeClient;
}

export function serviceAccountSubject(namespace: string): string {
  return `system:serviceaccount:${namespace}:${MEMBER_CREDENTIAL.serviceAccount}`;
}

/**
 * A client for the member that authenticates as the credential itself. It has no metrics of
 * its own: the requests it makes (reviews, dry runs) verify and change nothing.
 */
export function credentialFor(target: CredentialTarget, token: string, requestTimeoutMs?: number): Credential {
  const kubeconfig = buildMemberKubeconfig({ member: target.member, server: target.server, ca: target.ca, token, namespace: target.namespace });
  const parsed = parseMemberKubeconfig(kubeconfig, target.member);
  if (!parsed.ok) throw new Error(`the member kubeconfig for ${target.member} is unusable: ${parsed.message}`);
  const client = new KubeClient(KubeConfig.fromOptions(parsed.options), {
    cluster: memberUserName(target.member),
    userAgent: 'promfleet-cli',
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
  });
  return { token, kubeconfig, expiresAt: parsed.expiresAt, client };
}

interface JWTClaims {
  sub?: unknown;
  exp?: unknown;
  'kubernetes.io'?: { serviceaccount?: { uid?: unknown } };
}

function claimsOf(token: string): JWTClaims | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as JWTClaims;
  } catch {
    return undefined;
  }
}

export type StoredTokenVerdict = { readonly usable: true; readonly credential: Credential } | { readonly usable: false; readonly reason: string };

/**
 * Whether the token in the hub's Secret can stay: it must be this service account's (by name
 * and UID: a deleted and re-created service account invalidates its tokens, though the API
 * server may accept them from its cache for a few seconds), not expire within the renewal window,
 * and still be accepted by the member.
 */
export async function checkStoredToken(
  storedKubeconfig: string,
  target: CredentialTarget,
  serviceAccountUID: string | undefined,
  now: Date,
  requestTimeoutMs?: number,
): Promise<StoredTokenVerdict> {
  const parsed = parseMemberKubeconfig(storedKubeconfig, target.member);
  if (!parsed.ok) return { usable: false, reason: `the stored kubeconfig is unusable: ${parsed.message}` };
  const token = parsed.options.users[0].token;
  if (!token) return { usable: false, reason: 'the stored kubeconfig has no token' };
  const claims = claimsOf(token);
  if (claims?.sub !== serviceAccountSubject(target.namespace))
    return { usable: false, reason: `the stored token is not for ${serviceAccountSubject(target.namespace)}` };
  const tokenUID = claims['kubernetes.io']?.serviceaccount?.uid;
  if (serviceAccountUID !== undefined && tokenUID !== undefined && tokenUID !== serviceAccountUID) {
    return { usable: false, reason: 'the stored token belongs to an earlier ServiceAccount of that name' };
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 - now.getTime() < TOKEN_RENEW_BEFORE_MS) {
    return {
      usable: false,
      reason: `the stored token expires ${new Date(claims.exp * 1000).toISOString()}, within ${String(CREDENTIAL_LIFECYCLE.renewWithinDays)} days`,
    };
  }
  const credential = credentialFor(target, token, requestTimeoutMs);
  try {
    await canI(credential.client, { verb: 'get', group: GROUP, resource: PROMETHEUS_REPLICA.plural, namespace: target.namespace });
  } catch (error) {
    await credential.client.close();
    if (isUnauthorized(error)) return { usable: false, reason: 'the member no longer accepts the stored token' };
    throw error;
  }
  return { usable: true, credential };
}

interface TokenRequestResponse {
  status?: { token?: string; expirationTimestamp?: string };
}

/** A new token for the service account from the TokenRequest API, bound to `binding`: deleting that Secret revokes it. */
export async function requestToken(member: KubeClient, namespace: string, expirationSeconds: number, binding: TokenBinding): Promise<string> {
  const response = await member.request<TokenRequestResponse>({
    verb: 'create',
    method: 'POST',
    path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${MEMBER_CREDENTIAL.serviceAccount}/token`,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: binding.name, uid: binding.uid } },
    },
  });
  const token = response.status?.token;
  if (!token) throw new Error(`${member.cluster}: the TokenRequest for ${namespace}/${MEMBER_CREDENTIAL.serviceAccount} returned no token`);
  return token;
}
