import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { renderChartCRDFiles } from '../../../charts/src/crd-copies.ts';
import { customResourceDefinition, KINDS, renderCRDFiles } from '../src/index.ts';
import { CRD_DIRECTORY } from '../src/crd/paths.ts';
import { WELL_KNOWN_SHORT_NAMES } from './well-known-short-names.ts';

describe('generated CRDs', () => {
  it('crds/ holds exactly what `pnpm generate` produces', () => {
    const expected = renderCRDFiles();
    expect(readdirSync(CRD_DIRECTORY).sort()).toEqual([...expected.keys()].sort());
    for (const [file, text] of expected) {
      expect(readFileSync(join(CRD_DIRECTORY, file), 'utf8'), `crds/${file} is stale: run pnpm generate`).toBe(text);
    }
  });

  it("each Helm chart's files/crds/ holds exactly its copies of what `pnpm generate` produces", () => {
    const charts = renderChartCRDFiles();
    expect(charts.size).toBeGreaterThan(0);
    for (const [dir, expected] of charts) {
      expect(readdirSync(dir).sort(), dir).toEqual([...expected.keys()].sort());
      for (const [file, text] of expected) {
        expect(readFileSync(join(dir, file), 'utf8'), `${join(dir, file)} is stale: run pnpm generate`).toBe(text);
      }
    }
  });

  it.each([
    ['PrometheusReplica', 'pfr', 'Namespaced'],
    ['PrometheusCluster', 'pfc', 'Namespaced'],
    ['MemberCluster', 'pfm', 'Cluster'],
  ] as const)('%s has its short name, category, scope and status subresource', (kind, shortName, scope) => {
    const crd = customResourceDefinition(kind) as {
      spec: {
        names: { shortNames: string[]; categories: string[] };
        scope: string;
        versions: { subresources: unknown; additionalPrinterColumns: unknown[] }[];
      };
    };
    expect(crd.spec.names.shortNames).toEqual([shortName]);
    expect(crd.spec.names.categories).toEqual(['promfleet']);
    expect(crd.spec.scope).toBe(scope);
    expect(crd.spec.versions[0]?.subresources).toEqual({ status: {} });
    expect(crd.spec.versions[0]?.additionalPrinterColumns.length).toBeGreaterThan(2);
  });

  it("use short names that no well-known CRD uses, so `kubectl get` with one lists promfleet's kind", () => {
    const clashes = KINDS.flatMap((info) =>
      Object.entries(WELL_KNOWN_SHORT_NAMES)
        .filter(([, names]) => names.includes(info.shortName))
        .map(([project]) => `${info.kind} ${info.shortName}: ${project}`),
    );
    expect(clashes).toEqual([]);
    expect(new Set(KINDS.map((info) => info.shortName)).size).toBe(KINDS.length);
  });

  it('never emits a node without a type, a $ref, or additionalProperties beside properties', () => {
    const problems: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Record<string, unknown>;
      if ('$ref' in schema) problems.push(`${path}: $ref`);
      if ('properties' in schema && 'additionalProperties' in schema) problems.push(`${path}: additionalProperties beside properties`);
      if (!('type' in schema) && schema['x-kubernetes-int-or-string'] !== true) problems.push(`${path}: no type`);
      for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, unknown>)) walk(child, `${path}.${name}`);
      if (schema.items) walk(schema.items, `${path}[]`);
      if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${path}.*`);
    };
    for (const kind of ['PrometheusReplica', 'PrometheusCluster', 'MemberCluster'] as const) {
      const crd = customResourceDefinition(kind) as { spec: { versions: { schema: { openAPIV3Schema: unknown } }[] } };
      walk(crd.spec.versions[0]?.schema.openAPIV3Schema, kind);
    }
    expect(problems).toEqual([]);
  });
});
