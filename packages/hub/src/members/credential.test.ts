import type { MemberCluster } from '@promfleet/api';
import { buildMemberKubeconfig } from '@promfleet/api';
import type { Informer } from '@promfleet/kube/cache';
import type { ISecret } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';

import { loadCredential } from './credential.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBajCCAQ+gAwIBAgIUTfWqCjx9FCT+b6ArH6m3xTVWA3YwCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n';
const member = (name: string): MemberCluster =>
  ({
    metadata: { name },
    spec: { kubeconfigSecretRef: { name: 'member-eu-west', namespace: 'promfleet-system', key: 'kubeconfig' }, namespace: 'monitoring' },
  }) as MemberCluster;

/** The hub's Secret cache holding one Secret. */
function cache(labels: Record<string, string> | undefined, kubeconfig = 'not: [checked'): Informer<ISecret> {
  const secret: ISecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'member-eu-west', namespace: 'promfleet-system', ...(labels ? { labels } : {}) },
    data: { kubeconfig: Buffer.from(kubeconfig).toString('base64') },
  };
  return { get: (key: string) => (key === 'promfleet-system/member-eu-west' ? secret : undefined) } as unknown as Informer<ISecret>;
}

describe('the credential Secret is bound to its MemberCluster', () => {
  it('refuses a Secret without the binding label, telling the exact kubectl label command', () => {
    expect(loadCredential(member('eu-west'), cache(undefined))).toEqual({
      ok: false,
      reason: 'SecretNotBound',
      message:
        "Secret promfleet-system/member-eu-west is not bound to a MemberCluster: the hub uses a credential Secret only when its label promfleet.io/member names the MemberCluster (promfleet join sets it; Secrets made by hand or by an older join lack it). If it is eu-west's credential, run: kubectl -n promfleet-system label secret member-eu-west promfleet.io/member=eu-west",
    });
  });

  it("refuses another member's Secret, so its credential cannot be aliased", () => {
    expect(loadCredential(member('alias'), cache({ 'promfleet.io/member': 'eu-west' }))).toEqual({
      ok: false,
      reason: 'SecretBoundToOtherMember',
      message:
        'Secret promfleet-system/member-eu-west is bound to MemberCluster eu-west (label promfleet.io/member), not to alias: a MemberCluster may use only its own credential',
    });
  });

  it('uses a Secret bound to the MemberCluster, and only then looks at its content', () => {
    expect(loadCredential(member('eu-west'), cache({ 'promfleet.io/member': 'eu-west' }))).toMatchObject({ ok: false, reason: 'KubeconfigInvalid' });
    const kubeconfig = buildMemberKubeconfig({ member: 'eu-west', server: 'https://10.0.0.1:6443', ca: CA, token: 'abc', namespace: 'monitoring' });
    const loaded = loadCredential(member('eu-west'), cache({ 'promfleet.io/member': 'eu-west' }, kubeconfig));
    expect(loaded).toMatchObject({ ok: false, reason: 'KubeconfigInvalid' });
    expect(loaded.ok ? '' : loaded.message).toContain('certificate-authority-data holds a PEM block that is not a valid certificate');
  });
});
