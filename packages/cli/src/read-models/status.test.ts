import type { PrometheusCluster } from '@promfleet/api';
import { describe, expect, it } from 'vitest';

import { loadFixtures } from '../../test/fixtures.ts';
import { renderStatus } from '../commands/status.ts';
import { statusViews } from './status.ts';

const views = statusViews(loadFixtures<PrometheusCluster>('prometheus-clusters.yaml'));

describe('status read model', () => {
  it('orders clusters by namespace and name, members by name, and fills in what the hub has not reported', () => {
    expect(views.map((view) => [`${view.namespace}/${view.name}`, view.phase, view.members.map((member) => member.name)])).toEqual([
      ['platform/cloud-clusters', 'Degraded', ['ap-south', 'eu-west', 'us-east']],
      ['team-a/edge', 'Ready', ['edge-1', 'edge-2']],
      ['team-b/new', 'Unknown', []],
    ]);
  });

  it('renders the table with members and DNS records per cluster', async () => {
    await expect(renderStatus(views, 'table')).toMatchFileSnapshot('../../test/golden/status.txt');
  });

  it('renders JSON and YAML', async () => {
    await expect(renderStatus(views, 'json')).toMatchFileSnapshot('../../test/golden/status.json');
    await expect(renderStatus(views, 'yaml')).toMatchFileSnapshot('../../test/golden/status.yaml');
  });

  it('says so when there are no PrometheusClusters', () => {
    expect(renderStatus([], 'table')).toBe('No PrometheusClusters.\n');
  });
});
