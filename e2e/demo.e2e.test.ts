import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const DEMO = fileURLToPath(new URL('../scripts/demo/demo.ts', import.meta.url));

// What CI and a new user run: `pnpm demo --once` converges, prints the fleet, exits 0, and leaves
// nothing behind.
describe('pnpm demo --once', () => {
  it('brings up a hub and three members, converges the example PrometheusCluster, and cleans up', async () => {
    const child = spawn(process.execPath, ['--conditions=source', DEMO, '--once'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, output).toBe(0);
    expect(output).toContain('joined with promfleet join (platform=cloud, region=eu-west-1)');
    expect(output).toMatch(/platform\/cloud-clusters\s+Ready\s+2\s+2/);
    expect(output.match(/^\s*query\.prometheus\.example\.com\. 30 IN A /gm)).toHaveLength(2);
    expect(output).toContain('endpoints API: http://127.0.0.1:');
    const fleetDir = /\/\S+\/promfleet-fleet-[^/\s]+/.exec(output)?.[0];
    expect(fleetDir).toBeDefined();
    expect(existsSync(fleetDir ?? '/'), 'the fleet directory is removed').toBe(false);
  });
});
