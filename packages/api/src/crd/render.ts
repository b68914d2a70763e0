import { stringify } from 'yaml';

import { KINDS } from '../constants.ts';
import { crdFileName, customResourceDefinition } from './crd.ts';

const HEADER = '# Generated from the zod schemas in packages/api by `pnpm generate`. Do not edit.\n';

/** The CRD files as `pnpm generate` writes them into `crds/`, by file name. */
export function renderCRDFiles(): Map<string, string> {
  return new Map(KINDS.map(({ kind }) => [crdFileName(kind), renderYAML(customResourceDefinition(kind))]));
}

export function renderYAML(object: unknown): string {
  return HEADER + stringify(object, { lineWidth: 0 });
}
