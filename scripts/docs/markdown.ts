import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { repositoryRoot } from '@promfleet/testkit';

/** The documentation the docs test reads: README.md, docs/*.md and the charts' READMEs. */
export interface Doc {
  /** Repository-relative path, e.g. `docs/hub.md`. */
  readonly path: string;
  readonly text: string;
}

export const ROOT = repositoryRoot();

export function readDocs(): Doc[] {
  const files = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
    ...readdirSync(join(ROOT, 'charts'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name.startsWith('promfleet-'))
      .map((entry) => `charts/${entry.name}/README.md`),
  ];
  return files.map((path) => ({ path: relative(ROOT, join(ROOT, path)), text: readFileSync(join(ROOT, path), 'utf8') }));
}

export interface Located {
  /** 1-based line in the document. */
  readonly line: number;
  /** The headings above it, outermost first (`## join`, `### Examples`). */
  readonly headings: readonly string[];
}

export interface CodeBlock extends Located {
  readonly language: string;
  /** Lines, with shell continuations (`\` at the end) joined. */
  readonly lines: readonly string[];
}

export interface Table extends Located {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Splits a document into fenced code blocks, tables and prose lines, each with the headings above it. */
export function parseDoc(text: string): { blocks: CodeBlock[]; tables: Table[]; prose: { line: number; text: string }[]; headings: string[] } {
  const blocks: CodeBlock[] = [];
  const tables: Table[] = [];
  const prose: { line: number; text: string }[] = [];
  const allHeadings: string[] = [];
  const chain: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const fence = /^\s*```(\S*)/.exec(line);
    if (fence) {
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
      blocks.push({ line: start + 1, headings: [...chain], language: fence[1] ?? '', lines: joinContinuations(body) });
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = (heading[1] ?? '#').length;
      chain.length = Math.min(chain.length, level - 1);
      while (chain.length < level - 1) chain.push('');
      chain.push(heading[2] ?? '');
      allHeadings.push(heading[2] ?? '');
      continue;
    }
    if (line.startsWith('|') && (lines[i + 1] ?? '').startsWith('|') && /^\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? '')) {
      const start = i;
      const header = cells(line);
      const rows: string[][] = [];
      for (i += 2; i < lines.length && (lines[i] ?? '').startsWith('|'); i++) rows.push(cells(lines[i] ?? ''));
      i--;
      tables.push({ line: start + 1, headings: [...chain], header, rows });
      continue;
    }
    prose.push({ line: i + 1, text: line });
  }
  return { blocks, tables, prose, headings: allHeadings };
}

function joinContinuations(lines: readonly string[]): string[] {
  const joined: string[] = [];
  let pending = '';
  for (const line of lines) {
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    joined.push(pending + line);
    pending = '';
  }
  if (pending) joined.push(pending);
  return joined;
}

/** A table row's cells, trimmed; `\|` is a pipe inside a cell. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

/** The contents of the inline code spans of a line (`` `x` `` → x). */
export function inlineCode(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a document offers, with GitHub's -1, -2 … for repeated headings. */
export function anchors(headings: readonly string[]): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const heading of headings) {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    result.add(count === 0 ? base : `${base}-${String(count)}`);
    seen.set(base, count + 1);
  }
  return result;
}

/** Shell words of a command line, quotes removed; stops at a comment, a pipe, `&&`, `;` or a redirection. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const char = line[i] ?? '';
    if (quote) {
      if (char === quote) quote = undefined;
      else word += char;
      continue;
    }
    if (char === '$' && line[i + 1] === '(') depth++;
    if (char === ')' && depth > 0) depth--;
    if (depth === 0 && (char === "'" || char === '"')) {
      quote = char;
      continue;
    }
    if (depth === 0 && /\s/.test(char)) {
      if (word) words.push(word);
      word = '';
      continue;
    }
    if (depth === 0 && word === '' && (char === '#' || char === '|' || char === ';' || char === '>' || (char === '&' && line[i + 1] === '&'))) break;
    word += char;
  }
  if (word) words.push(word);
  return words;
}
