import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadYaml } from '@kubernetes/client-node';
import type { KubeObject } from '@promfleet/kube/client';

/**
 * The bad-input corpus: one YAML file per case in e2e/fixtures/bad-input. Each file opens with a
 * comment that says what is wrong, what catches it, and one `# expect: {json}` line per outcome.
 * Documents go to the hub, except those whose own leading comment says `# target: members`
 * (created in every member, as a region admin would). The last hub document is the subject.
 */

export interface ExpectedCondition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  /** A substring of the condition's message. */
  readonly message: string;
}

export type Expectation =
  /** The API server refuses the subject with 422, its message containing this. */
  | { readonly rejected: string }
  /** The subject is stored without this field (dotted path). */
  | { readonly pruned: string }
  /** A condition on the subject, or on `on` (`Kind/name`). */
  | { readonly condition: ExpectedCondition; readonly on?: string }
  /** Every member entry of the subject PrometheusCluster has this phase and message. */
  | { readonly entries: { readonly phase: string; readonly message: string }; readonly selected: number }
  /** These status fields, compared as JSON. */
  | { readonly status: Readonly<Record<string, unknown>> }
  /** No member holds a replica named after the subject. */
  | { readonly noReplicas: true }
  /** Each member recorded an Event with this reason about the subject's replica. */
  | { readonly memberEvent: { readonly reason: string } }
  /** The documents created in the members are as their author made them: no hub label, spec or field. */
  | { readonly untouchedInMembers: true }
  /** Nothing created this file (an exec plugin did not run). */
  | { readonly fileAbsent: string };

export interface CaseDocument {
  readonly target: 'hub' | 'members';
  readonly object: KubeObject;
}

export interface BadInputCase {
  readonly file: string;
  /** The header's first line: what the case is. */
  readonly title: string;
  readonly documents: readonly CaseDocument[];
  readonly subject: KubeObject;
  readonly expectations: readonly Expectation[];
}

export const CORPUS_DIR = join(import.meta.dirname, '..', 'fixtures', 'bad-input');

const EXPECT = '# expect:';

/** The case files, in order. */
export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .sort();
}

/** Reads every case, replacing `${NAME}` with `substitutions[NAME]`. */
export function loadBadInputCorpus(substitutions: Readonly<Record<string, string>>): BadInputCase[] {
  return corpusFiles().map((file) => parseCase(file, substitute(readFileSync(join(CORPUS_DIR, file), 'utf8'), substitutions)));
}

function substitute(text: string, substitutions: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Z_]+)\}/g, (match, name: string) => substitutions[name] ?? match);
}

function parseCase(file: string, text: string): BadInputCase {
  const chunks = text.split(/^---$/m);
  const header = (chunks[0] ?? '').split('\n').filter((line) => line.startsWith('#'));
  const expectations = header.filter((line) => line.startsWith(EXPECT)).map((line) => JSON.parse(line.slice(EXPECT.length)) as Expectation);
  const documents = chunks.map((chunk): CaseDocument => {
    const comments = chunk.split('\n').filter((line) => line.startsWith('#'));
    const object = JSON.parse(JSON.stringify(loadYaml(chunk))) as KubeObject;
    return { target: comments.includes('# target: members') ? 'members' : 'hub', object };
  });
  const subject = documents.filter((document) => document.target === 'hub').at(-1)?.object;
  if (!subject || expectations.length === 0) throw new Error(`${file}: needs a hub document and at least one "${EXPECT}" line`);
  return { file, title: (header[0] ?? '').replace(/^#\s*/, ''), documents, subject, expectations };
}

/** `Kind/name` of an object, as `on` names it. */
export function describeObject(object: KubeObject): string {
  return `${object.kind ?? ''}/${object.metadata?.name ?? ''}`;
}
