import { describe, expect, it } from 'vitest';

import { excessRules, REPLICA_RULES } from './credential-scope.ts';

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
