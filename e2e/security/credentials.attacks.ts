import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { LABELS, type Condition, PrometheusReplicas } from '@promfleet/api';
import { ResourceClient, RoleBindings, Secrets } from '@promfleet/kube/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ClusterRoleBindingsFor, ClusterRolesFor } from '../helpers/rbac.ts';
import { conditionOf } from '../helpers/observe.ts';
import { eventually, HUB_NAMESPACE, MEMBER_NAMESPACE } from '../helpers/promfleet-fleet.ts';
import { HostileMember } from './hostile-member.ts';
import { kubeconfigFor, memberAdmin, registerMember, SENTINEL, type SecurityFleet } from './security-fleet.ts';

const ALLOWED_USER = 'which the hub does not accept: it takes only token, or client-certificate-data and client-key-data';

/** A kubeconfig with one hostile change to what join writes, the sentinel in the value. */
function hostileKubeconfig(server: string, ca: string, change: { cluster?: object; user?: unknown; extra?: string }): string {
  const base = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'm', cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64'), ...change.cluster } }],
    users: [{ name: 'u', user: change.user ?? { token: SENTINEL } }],
    contexts: [{ name: 'x', context: { cluster: 'm', user: 'u', namespace: 'monitoring' } }],
    'current-context': 'x',
  };
  return `${change.extra ?? ''}${JSON.stringify(base)}`;
}

const readyOf = async (fleet: SecurityFleet, name: string) => conditionOf(await fleet.pf.memberClusters.get(name), 'Ready');

/** A MemberCluster's condition once it has this reason. */
function untilReason(fleet: SecurityFleet, name: string, reason: string, type = 'Ready'): Promise<Condition> {
  return eventually(`${name} ${type} ${reason}`, async () => {
    const condition = conditionOf(await fleet.pf.memberClusters.get(name), type);
    return condition?.reason === reason ? condition : undefined;
  });
}

export function credentialAttacks(fleet: () => SecurityFleet): void {
  describe('member credentials', () => {
    const hostile: HostileMember[] = [];
    const marker = () => join(fleet().dir, 'exec-plugin-ran');

    beforeAll(async () => {
      const f = fleet();
      const server = f.pf.members.get('eu-west')?.cluster.server ?? '';
      const ca = f.pf.members.get('eu-west')?.cluster.ca ?? '';
      // Registered together, so their grace periods run concurrently.
      const cases: Record<string, string> = {
        'sec-exec': hostileKubeconfig(server, ca, {
          user: { token: SENTINEL, exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: '/bin/sh', args: ['-c', `touch ${marker()}`] } },
        }),
        'sec-client-key': hostileKubeconfig(server, ca, { user: { token: SENTINEL, 'client-key': '/dev/zero' } }),
        'sec-pasted': hostileKubeconfig(server, ca, { user: SENTINEL }),
        'sec-proxy': hostileKubeconfig(server, ca, { cluster: { 'proxy-url': `http://admin:${SENTINEL}@127.0.0.1:3128` } }),
        'sec-impersonate': hostileKubeconfig(server, ca, { user: { token: SENTINEL, as: 'system:admin', 'as-groups': ['system:masters'] } }),
      };
      for (const mode of ['huge-body', 'endless-watch', 'echo'] as const) {
        const member = await HostileMember.start(mode);
        hostile.push(member);
        cases[`sec-${mode}`] = kubeconfigFor(`sec-${mode}`, member.url, member.pki.caCert, mode === 'echo' ? SENTINEL : 'hostile-member-token');
      }
      for (const [name, kubeconfig] of Object.entries(cases)) {
        await f.credential(name, kubeconfig);
        await registerMember(f, name, { security: 'hostile' });
      }
    });

    afterAll(async () => {
      await Promise.all(hostile.map((member) => member.stop()));
    });

    it.each([
      ['sec-exec', 'KubeconfigUnsupported', `users[0].user has exec, ${ALLOWED_USER}`],
      ['sec-client-key', 'KubeconfigUnsupported', `users[0].user has client-key, ${ALLOWED_USER}`],
      ['sec-pasted', 'KubeconfigInvalid', 'users[0].user must be a mapping'],
      ['sec-proxy', 'KubeconfigUnsupported', 'clusters[0].cluster has proxy-url, which the hub does not accept'],
      ['sec-impersonate', 'KubeconfigUnsupported', `users[0].user has as, ${ALLOWED_USER}`],
    ])(
      'B1 %s: a Secret that would make the hub run a program, read its own files, proxy or impersonate is refused by key — stopped by the kubeconfig allow-list',
      async (name, reason, message) => {
        const ready = await untilReason(fleet(), name, reason);
        expect(ready.status).toBe('False');
        expect(ready.message).toContain(`Secret promfleet-system/member-${name} key kubeconfig: ${message}`);
        expect(existsSync(marker())).toBe(false);
      },
    );

    it("B2: a MemberCluster aliasing another member's Secret is refused, and deleting it deletes nothing of the real member's — stopped by binding Secrets to their member", async () => {
      const f = fleet();
      const replicas = new ResourceClient(memberAdmin(f, 'eu-west'), PrometheusReplicas);
      const before = await replicas.get('steady', MEMBER_NAMESPACE);
      await registerMember(f, 'sec-alias', {}, 'member-eu-west');
      const refused = await untilReason(f, 'sec-alias', 'SecretBoundToOtherMember');
      expect(refused.message).toBe(
        'Secret promfleet-system/member-eu-west is bound to MemberCluster eu-west (label promfleet.io/member), not to sec-alias: a MemberCluster may use only its own credential',
      );
      await f.pf.memberClusters.delete('sec-alias');
      await eventually('the alias gone', async () => (await f.pf.memberClusters.get('sec-alias')) === undefined);
      expect((await replicas.get('steady', MEMBER_NAMESPACE))?.metadata.uid).toBe(before?.metadata.uid);
      expect((await readyOf(f, 'eu-west'))?.status).toBe('True');
    });

    it("B3: a Secret without the binding label (made by hand or an older join) is refused with the kubectl command that fixes it, and works once run; going, it takes no other member's replica", async () => {
      const f = fleet();
      const replicas = new ResourceClient(memberAdmin(f, 'us-east'), PrometheusReplicas);
      const before = await replicas.get('steady', MEMBER_NAMESPACE);
      const secrets = new ResourceClient(f.pf.hub, Secrets);
      const usEast = await secrets.get('member-us-east', HUB_NAMESPACE);
      await secrets.create({ metadata: { name: 'member-sec-legacy', namespace: HUB_NAMESPACE }, data: usEast?.data ?? {} });
      await registerMember(f, 'sec-legacy');
      const refused = await untilReason(f, 'sec-legacy', 'SecretNotBound');
      expect(refused.message).toContain('kubectl -n promfleet-system label secret member-sec-legacy promfleet.io/member=sec-legacy');
      // What the command does.
      await secrets.patch('member-sec-legacy', HUB_NAMESPACE, { metadata: { labels: { [LABELS.member]: 'sec-legacy' } } });
      await eventually('Ready once bound', async () => (await readyOf(f, 'sec-legacy'))?.status === 'True');
      // A copy of us-east's credential reaches us-east's namespace: us-east's replicas are not its to remove, selected or going.
      await f.pf.memberClusters.delete('sec-legacy');
      await eventually('sec-legacy gone', async () => (await f.pf.memberClusters.get('sec-legacy')) === undefined);
      expect((await replicas.get('steady', MEMBER_NAMESPACE))?.metadata.uid).toBe(before?.metadata.uid);
    });

    it('B4: a member answering with a gigabyte, or a watch without a newline, costs a bounded error and nothing else — stopped by bounded responses and watch events', async () => {
      const f = fleet();
      const offline = await untilReason(f, 'sec-huge-body', 'Offline');
      expect(offline.message).toContain('the response body is larger than 8 MiB; refused');
      await eventually('the endless watch refused', () =>
        readFileSync(f.pf.hubProcess.logFile, 'utf8').includes('the watch event is larger than 2 MiB; refused'),
      );
      const [huge, watch] = hostile;
      // What the kernel buffers beyond the limit, never the gigabyte.
      expect(huge?.sent.get('body')).toBeLessThan(64 * 2 ** 20);
      expect(watch?.sent.get('watch')).toBeLessThan(64 * 2 ** 20);
      expect((await readyOf(f, 'eu-west'))?.status).toBe('True');
    });

    it("B5: a member echoing the hub's token back in its errors does not get it into a condition — stopped by blanking the token in member errors", async () => {
      const f = fleet();
      const offline = await untilReason(f, 'sec-echo', 'Offline');
      expect(offline.message).toContain('rejected the request of Bearer [redacted]');
    });

    it('B6: rights beyond the Role in non-resource rules, or an incomplete rules review, are reported — stopped by the probe judging nonResourceRules and incomplete', async () => {
      const f = fleet();
      const admin = memberAdmin(f, 'us-east');
      await new ResourceClient(admin, ClusterRolesFor).create({
        metadata: { name: 'sec-metrics-reader' },
        rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] } as never],
      });
      const bindings = new ResourceClient(admin, ClusterRoleBindingsFor);
      await bindings.create({
        metadata: { name: 'sec-metrics' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'sec-metrics-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'promfleet-hub', namespace: MEMBER_NAMESPACE }],
      });
      const over = await untilReason(f, 'us-east', 'OverPrivileged', 'CredentialScoped');
      expect(over.message).toBe('the credential can do more than manage prometheusreplicas: get /metrics');
      await bindings.delete('sec-metrics');
      await untilReason(f, 'us-east', 'Scoped', 'CredentialScoped');
      const roleBindings = new ResourceClient(admin, RoleBindings);
      await roleBindings.create({
        metadata: { name: 'sec-dangling', namespace: MEMBER_NAMESPACE },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'not-there' },
        subjects: [{ kind: 'ServiceAccount', name: 'promfleet-hub', namespace: MEMBER_NAMESPACE }],
      });
      const unverifiable = await untilReason(f, 'us-east', 'ScopeUnverifiable', 'CredentialScoped');
      expect(unverifiable.status).toBe('Unknown');
      await roleBindings.delete('sec-dangling', MEMBER_NAMESPACE);
      await untilReason(f, 'us-east', 'Scoped', 'CredentialScoped');
    });
  });
}
