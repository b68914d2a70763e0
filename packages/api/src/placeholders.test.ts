import { describe, expect, it } from 'vitest';

import { hasMemberPlaceholders, renderMemberPlaceholders } from './placeholders.ts';

const member = { name: 'eu-west', labels: { region: 'eu', 'topology.kubernetes.io/zone': 'eu-1a' } };

describe('renderMemberPlaceholders', () => {
  it('fills in the member name and labels, with or without spaces inside the braces', () => {
    expect(renderMemberPlaceholders('store-{{ member.name }}.{{member.labels.region}}.example.com', member)).toEqual({
      ok: true,
      value: 'store-eu-west.eu.example.com',
    });
    expect(renderMemberPlaceholders('{{ member.labels.topology.kubernetes.io/zone }}', member)).toEqual({ ok: true, value: 'eu-1a' });
    expect(renderMemberPlaceholders('store.example.com', member)).toEqual({ ok: true, value: 'store.example.com' });
  });

  it('refuses a label the member lacks, naming it, rather than an empty host label', () => {
    expect(renderMemberPlaceholders('store-{{ member.labels.tier }}.example.com', member)).toEqual({
      ok: false,
      message: 'member "eu-west" has no label "tier" (used as {{ member.labels.<key> }})',
    });
  });

  it('refuses braces that are no placeholder', () => {
    const result = renderMemberPlaceholders('store-{{ member.region }}.example.com', member);
    expect(result.ok).toBe(false);
    expect(hasMemberPlaceholders('store-{{ member.name }}')).toBe(true);
    expect(hasMemberPlaceholders('store.example.com')).toBe(false);
  });
});
