import { describe, expect, it } from 'vitest';

import { BENCHMARKS } from './benchmarks/index.ts';
import { formatTable } from './harness.ts';

// Benchmarks print figures; this only proves each still runs and produces a table at a tiny size.
describe('benchmarks at smoke size', () => {
  for (const benchmark of BENCHMARKS) {
    it(`${benchmark.name} runs and reports rows`, async () => {
      const results = await benchmark.run({ smoke: true, log: () => undefined });
      expect(results.length).toBeGreaterThan(0);
      for (const result of results) {
        expect(result.rows.length).toBeGreaterThan(0);
        for (const row of result.rows) expect(Object.keys(row).sort()).toEqual([...result.columns].sort());
        expect(formatTable(result)).toContain(result.title);
      }
    });
  }
});
