import type { MemberCluster } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { pinnedTemplate, templateFor, type RevisionLookup } from './member-spec.ts';
import type { RevisionData } from './revisions.ts';

const member: MemberCluster = {
  apiVersion: 'promfleet.io/v1alpha1',
  kind: 'MemberCluster',
  metadata: { name: 'eu-1', labels: { region: 'eu' } },
  spec: { namespace: 'monitoring', kubeconfigSecretRef: { namespace: 'promfleet-system', name: 'member-eu-1', key: 'kubeconfig' } },
};

const revisions: Record<string, RevisionData> = {
  r1: { template: { configMap: 'old-config', bucketSecret: 's3-bucket', externalLabels: { member: '{{ member.name }}' } } },
  r2: { template: { configMap: 'prometheus-config', bucketSecret: 's3-bucket', externalLabels: { member: '{{ member.name }}' } } },
};
const lookup: RevisionLookup = (name) => {
  const data = revisions[name];
  return data ? { ok: true, data } : { ok: false, message: `revision ${name} is gone` };
};

describe('pinnedTemplate', () => {
  const target = templateFor(revisions.r2 ?? { template: {} }, member);

  it('takes the target merged once for the member when the pin is the target, or falls back to it', () => {
    expect(target.ok).toBe(true);
    expect(pinnedTemplate(lookup, 'r2', 'r2', member, target)).toEqual({ revision: 'r2', template: target });
    const pinned = pinnedTemplate(lookup, 'r2', 'r2', member, target);
    expect('template' in pinned && pinned.template).toBe(target);
    expect(pinnedTemplate(lookup, 'deleted-by-hand', 'r2', member, target)).toEqual({ revision: 'r2', template: target });
  });

  it('merges an older pinned revision for the member, never handing out the target for it', () => {
    const pinned = pinnedTemplate(lookup, 'r1', 'r2', member, target);
    expect(pinned.revision).toBe('r1');
    expect('template' in pinned && pinned.template.ok && pinned.template.template).toMatchObject({
      configMap: 'old-config',
      externalLabels: { member: 'eu-1' },
    });
  });

  it('merges the target itself when it was not merged before', () => {
    const pinned = pinnedTemplate(lookup, 'r2', 'r2', member);
    expect('template' in pinned && pinned.template).toEqual(target);
    expect(pinnedTemplate(lookup, 'gone', 'also-gone', member)).toEqual({ revision: 'also-gone', problem: 'revision also-gone is gone' });
  });
});
