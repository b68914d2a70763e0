import { REPLICA_RULES, validate } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { credentialSecret, memberCluster, role, roleBinding, serviceAccount, storedKubeconfig } from './objects.ts';
import { joinInputProblems } from './options.ts';
import { describeExcess } from './verify.ts';

describe('joinInputProblems', () => {
  it('accepts what the MemberCluster CRD accepts', () => {
    expect(
      joinInputProblems({
        name: 'eu-west-1',
        namespace: 'monitoring',
        hubNamespace: 'promfleet-system',
        labels: { 'topology.kubernetes.io/region': 'eu-west-1', tier: '' },
        tokenTTLSeconds: 600,
      }),
    ).toEqual([]);
  });

  it('names every problem at once', () => {
    expect(joinInputProblems({ name: '-eu', namespace: 'Monitoring', hubNamespace: '', labels: { 'bad key!': 'x' }, tokenTTLSeconds: 60 })).toEqual([
      'member name: "-eu" must contain only lowercase letters, digits and -',
      'namespace: "Monitoring" must contain only lowercase letters, digits and -',
      'hub namespace: must not be empty',
      'hub namespace: "" must contain only lowercase letters, digits and -',
      "labels: label key \"bad key!\" is invalid (a name of at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric, with an optional DNS prefix)",
      'token TTL: must be at least 10m (the TokenRequest minimum), got 60s',
    ]);
  });
});

describe('the objects join writes', () => {
  it('grants exactly REPLICA_RULES, bound to the promfleet-hub ServiceAccount of the namespace', () => {
    expect(role('eu', 'monitoring').rules).toEqual(REPLICA_RULES);
    expect(roleBinding('eu', 'monitoring')).toMatchObject({
      roleRef: { kind: 'Role', name: 'promfleet-hub' },
      subjects: [{ kind: 'ServiceAccount', name: 'promfleet-hub', namespace: 'monitoring' }],
    });
    expect(serviceAccount('eu', 'monitoring').metadata).toEqual({
      name: 'promfleet-hub',
      namespace: 'monitoring',
      labels: { 'app.kubernetes.io/managed-by': 'promfleet-cli', 'promfleet.io/member': 'eu' },
      annotations: { 'promfleet.io/tokens': 'bound' },
    });
    expect(serviceAccount('eu', 'monitoring', { boundTokens: false }).metadata?.annotations).toBeUndefined();
  });

  it('registers a MemberCluster the schema accepts', () => {
    const object = memberCluster('eu-west', { hubNamespace: 'promfleet-system', namespace: 'monitoring', labels: { region: 'eu-west-1' } });
    const result = validate('MemberCluster', object);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('stores the kubeconfig as data, which reads back as written', () => {
    const secret = credentialSecret('eu', 'promfleet-system', 'apiVersion: v1\n');
    expect(secret).toMatchObject({ type: 'Opaque', metadata: { name: 'member-eu', namespace: 'promfleet-system' } });
    expect(storedKubeconfig({ ...secret, apiVersion: 'v1', kind: 'Secret' })).toBe('apiVersion: v1\n');
    expect(storedKubeconfig(undefined)).toBeUndefined();
  });
});

describe('describeExcess', () => {
  it('groups the verbs of each resource into one readable list', () => {
    expect(describeExcess(['get pods', 'get secrets', 'list pods', 'list prometheusreplicas.promfleet.io in default', 'list secrets', 'watch secrets'])).toBe(
      'get/list pods, get/list/watch secrets, list prometheusreplicas.promfleet.io in default',
    );
    expect(describeExcess(['* *.*'])).toBe('* *.*');
  });
});
