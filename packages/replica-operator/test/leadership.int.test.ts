import { installCRDs, startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startOperator, type OperatorProcess } from './harness.ts';

let fleet: Fleet;
let operator: OperatorProcess | undefined;

beforeAll(async () => {
  fleet = await startFleet({ clusters: ['lease'] });
  await installCRDs(fleet.cluster('lease'));
});

afterAll(async () => {
  await operator?.stop();
  await fleet.stop();
});

describe('the replica operator and its Lease', () => {
  // A Deployment restarts a process that exits; one that hangs on after losing the Lease would
  // manage nothing and never be replaced.
  it('exits with 1 once its API server has been gone past the renew deadline', async () => {
    operator = await startOperator(fleet.cluster('lease').kubeconfigFile, ['--log-level=warn']);
    const stoppedAt = Date.now();
    await fleet.cluster('lease').stop();
    try {
      const code = await Promise.race([
        operator.process.exited,
        new Promise((resolve) =>
          setTimeout(() => {
            resolve('still running');
          }, 40_000),
        ),
      ]);
      console.log(`operator exited with ${String(code)} ${String(Date.now() - stoppedAt)} ms after its API server stopped (renew deadline 10 s)`);
      expect(code).toBe(1);
    } finally {
      await fleet.cluster('lease').start();
    }
  });
});
