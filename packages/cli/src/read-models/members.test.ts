import type { MemberCluster } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { FIXTURE_NOW, loadFixtures } from '../../test/fixtures.ts';
import { renderMembers } from '../commands/members.ts';
import { formatAge } from './age.ts';
import { memberViews } from './members.ts';

const views = memberViews(loadFixtures<MemberCluster>('members.yaml'), FIXTURE_NOW);

describe('members read model', () => {
  it('judges each credential from the hub conditions and the expiry date', () => {
    expect(Object.fromEntries(views.map((view) => [view.name, view.credential]))).toEqual({
      'ap-south': 'over-privileged',
      'edge-1': 'expiring',
      'edge-2': 'expired',
      'eu-west': 'scoped',
      'just-joined': 'unknown',
      'us-east': 'scoped',
    });
  });

  it('renders the table', async () => {
    await expect(renderMembers(views, 'table', FIXTURE_NOW)).toMatchFileSnapshot('../../test/golden/members.txt');
  });

  it('renders JSON and YAML', async () => {
    await expect(renderMembers(views, 'json', FIXTURE_NOW)).toMatchFileSnapshot('../../test/golden/members.json');
    await expect(renderMembers(views, 'yaml', FIXTURE_NOW)).toMatchFileSnapshot('../../test/golden/members.yaml');
  });

  it('says so when there are no members', () => {
    expect(renderMembers([], 'table', FIXTURE_NOW)).toBe('No members joined.\n');
    expect(renderMembers([], 'json', FIXTURE_NOW)).toBe('[]\n');
  });
});

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [7_199_000, '119m'],
    [7_200_000, '2h'],
    [47 * 3_600_000, '47h'],
    [49 * 3_600_000, '2d'],
    [-5000, '0s'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
