import { describe, expect, it } from 'vitest';

import { excessRules, REPLICA_RULES, reviewScope } from './credential-scope.ts';

const basicUser = { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] };

describe('excessRules', () => {
  it('finds nothing beyond the join Role and what every user may do', () => {
    expect(excessRules([...REPLICA_RULES, basicUser])).toEqual([]);
  });

  it('names each extra verb and resource', () => {
    expect(excessRules([...REPLICA_RULES, { apiGroups: [''], resources: ['secrets', 'pods'], verbs: ['get', 'list'] }])).toEqual([
      'get pods',
      'get secrets',
      'list pods',
      'list secrets',
    ]);
  });

  it('flags wildcards as they are written', () => {
    expect(excessRules([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }])).toEqual(['* *.*']);
    expect(excessRules([{ apiGroups: ['promfleet.io'], resources: ['prometheusreplicas'], verbs: ['*'] }])).toEqual(['* prometheusreplicas.promfleet.io']);
  });

  it('flags writes to the status subresource and other promfleet kinds', () => {
    expect(
      excessRules([
        { apiGroups: ['promfleet.io'], resources: ['prometheusreplicas/status'], verbs: ['get', 'update'] },
        { apiGroups: ['promfleet.io'], resources: ['prometheusclusters'], verbs: ['get'] },
      ]),
    ).toEqual(['get prometheusclusters.promfleet.io', 'update prometheusreplicas/status.promfleet.io']);
  });
});

const discovery = {
  verbs: ['get'],
  nonResourceURLs: [
    '/api',
    '/api/*',
    '/apis',
    '/apis/*',
    '/healthz',
    '/livez',
    '/openapi',
    '/openapi/*',
    '/readyz',
    '/version',
    '/version/',
    '/.well-known/openid-configuration',
    '/openid/v1/jwks',
  ],
};

describe('non-resource rules', () => {
  it('finds nothing in the discovery and health URLs every identity may read', () => {
    expect(excessRules([...REPLICA_RULES, basicUser, discovery])).toEqual([]);
  });

  it('names every other URL and every verb beyond get', () => {
    expect(excessRules([{ verbs: ['get'], nonResourceURLs: ['/metrics', '/logs/*'] }])).toEqual(['get /logs/*', 'get /metrics']);
    expect(excessRules([{ verbs: ['*'], nonResourceURLs: ['*'] }])).toEqual(['* non-resource URLs *']);
    expect(excessRules([{ verbs: ['post'], nonResourceURLs: ['/version'] }])).toEqual(['post /version']);
  });
});

describe('reviewScope', () => {
  it('reads excess from resource and non-resource rules alike', () => {
    expect(
      reviewScope({
        resourceRules: [...REPLICA_RULES, basicUser],
        nonResourceRules: [discovery, { verbs: ['get'], nonResourceURLs: ['/metrics'] }],
        incomplete: false,
      }),
    ).toEqual({
      excess: ['get /metrics'],
      unverifiable: undefined,
    });
  });

  it('cannot prove the scope with an incomplete review or an evaluation error', () => {
    expect(reviewScope({ resourceRules: [...REPLICA_RULES], nonResourceRules: [], incomplete: true }).unverifiable).toBe(
      "the member's authorizer could not list every rule of the credential (incomplete rules review)",
    );
    expect(
      reviewScope({
        resourceRules: [...REPLICA_RULES],
        nonResourceRules: [],
        incomplete: false,
        evaluationError: 'role.rbac.authorization.k8s.io "gone" not found',
      }).unverifiable,
    ).toBe('the member\'s authorizer could not list every rule of the credential (incomplete rules review: role.rbac.authorization.k8s.io "gone" not found)');
  });
});
