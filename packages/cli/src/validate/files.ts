import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { compareText } from '../output/table.ts';
import { validateText, type Finding } from './documents.ts';

export interface ValidationReport {
  readonly files: number;
  readonly documents: number;
  readonly valid: number;
  readonly skipped: number;
  readonly findings: readonly Finding[];
  readonly errors: number;
}

const MANIFEST = /\.(ya?ml|json)$/;

/** The files a path names: itself, or every *.yaml, *.yml and *.json below a folder, in name order. */
async function manifestFiles(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => compareText(a.name, b.name));
  const files: string[] = [];
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) files.push(...(await manifestFiles(child)));
    else if (MANIFEST.test(entry.name)) files.push(child);
  }
  return files;
}

/** Validates files and folders (recursively); every problem is a finding, nothing throws. */
export async function validateFiles(paths: readonly string[]): Promise<ValidationReport> {
  const findings: Finding[] = [];
  let files = 0;
  let documents = 0;
  let valid = 0;
  let skipped = 0;
  for (const path of paths) {
    let found: string[];
    try {
      found = await manifestFiles(path);
    } catch (error) {
      findings.push({ file: path, severity: 'error', message: `cannot read: ${reason(error)}` });
      continue;
    }
    if (found.length === 0) findings.push({ file: path, severity: 'error', message: 'no *.yaml, *.yml or *.json files in this folder' });
    for (const file of found) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        findings.push({ file, severity: 'error', message: `cannot read: ${reason(error)}` });
        continue;
      }
      files++;
      const report = validateText(file, text);
      documents += report.documents;
      valid += report.valid;
      skipped += report.skipped;
      findings.push(...report.findings);
    }
  }
  return { files, documents, valid, skipped, findings, errors: findings.filter((finding) => finding.severity === 'error').length };
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/** `2 files, 5 documents: 3 valid, 1 skipped, 4 errors`. */
export function summarize(report: ValidationReport): string {
  const plural = (count: number, word: string) => `${String(count)} ${word}${count === 1 ? '' : 's'}`;
  return `${plural(report.files, 'file')}, ${plural(report.documents, 'document')}: ${String(report.valid)} valid, ${String(report.skipped)} skipped, ${plural(report.errors, 'error')}`;
}
