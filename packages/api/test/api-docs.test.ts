import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { renderApiReference } from '../src/docs/api-reference.ts';
import { API_REFERENCE_FILE } from '../src/docs/paths.ts';

describe('docs/api.md', () => {
  it('holds exactly what `pnpm generate` produces from the schemas', () => {
    expect(readFileSync(API_REFERENCE_FILE, 'utf8'), 'docs/api.md is stale: run pnpm generate').toBe(renderApiReference());
  });

  it('documents every field with its type, default and description', () => {
    const text = renderApiReference();
    expect(text).toContain('| `spec.metrics.retention` | string |  | `"24h"` | How long Prometheus keeps data locally');
    expect(text).toContain('| `spec.deletionPolicy` | `Delete` \\| `Orphan` |  | `"Delete"` |');
    expect(text).toContain('| `spec.kubeconfigSecretRef.name` | string | yes |');
    expect(text).toContain('| `status.clusters[].stale` | boolean | yes |');
  });
});
