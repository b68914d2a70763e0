import { formatFieldError, GROUP, isKindName, KINDS, validate } from '@promfleet/api';
import { parseAllDocuments } from 'yaml';

/** One line of `promfleet validate` output, located by file and document (1-based). */
export interface Finding {
  readonly file: string;
  /** Undefined for problems with the file itself (unreadable, empty folder). */
  readonly doc?: number;
  readonly severity: 'error' | 'note';
  /** `spec.metrics.retention: 12h must be at least 3 x blockDuration (3 x 6h)`. */
  readonly message: string;
}

export interface TextReport {
  readonly documents: number;
  readonly valid: number;
  readonly skipped: number;
  readonly findings: readonly Finding[];
}

const KIND_LIST = KINDS.map((kind) => kind.kind).join(', ');

/** `FILE:doc N: PATH: MESSAGE`, or `FILE: MESSAGE` for the file itself. */
export function formatFinding(finding: Finding): string {
  return finding.doc === undefined ? `${finding.file}: ${finding.message}` : `${finding.file}:doc ${String(finding.doc)}: ${finding.message}`;
}

/**
 * Validates every document of a YAML or JSON text with the schemas the controllers use.
 * Documents of other kinds are skipped with a note; a document with no kind, an unknown
 * promfleet kind or a syntax error is an error.
 */
export function validateText(file: string, text: string): TextReport {
  const findings: Finding[] = [];
  let documents = 0;
  let valid = 0;
  let skipped = 0;
  const error = (doc: number, message: string) => findings.push({ file, doc, severity: 'error', message });
  for (const [index, document] of parseAllDocuments(text).entries()) {
    const doc = index + 1;
    const syntax = document.errors[0];
    if (syntax) {
      documents++;
      error(doc, `YAML syntax error: ${(syntax.message.split('\n')[0] ?? '').replace(/:$/, '')}`);
      continue;
    }
    const object: unknown = document.toJS();
    if (object === null || object === undefined) continue;
    documents++;
    if (typeof object !== 'object' || Array.isArray(object)) {
      error(doc, 'not a Kubernetes object (a mapping with apiVersion and kind)');
      continue;
    }
    const { kind, apiVersion } = object as { kind?: unknown; apiVersion?: unknown };
    if (isKindName(kind)) {
      const result = validate(kind, object);
      if (result.ok) valid++;
      else for (const fieldError of result.errors) error(doc, formatFieldError(fieldError));
    } else if (typeof kind !== 'string' || kind === '') {
      error(doc, `kind: is required (${KIND_LIST})`);
    } else if (typeof apiVersion === 'string' && apiVersion.startsWith(`${GROUP}/`)) {
      error(doc, `kind: ${JSON.stringify(kind)} is not a promfleet kind (${KIND_LIST})`);
    } else {
      skipped++;
      findings.push({ file, doc, severity: 'note', message: `skipped ${kind} (not a promfleet kind)` });
    }
  }
  return { documents, valid, skipped, findings };
}
