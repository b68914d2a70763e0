import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { CREDENTIAL_LIFECYCLE } from '@promfleet/api';
import { COMMANDS } from '@promfleet/cli';
import { HUB_FLAGS } from '@promfleet/hub';
import { parseFlags, type FlagSpec } from '@promfleet/kube/flags';
import { OPERATOR_FLAGS } from '@promfleet/replica-operator';
import { readCRDs } from '@promfleet/testkit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { anchors, inlineCode, parseDoc, readDocs, ROOT, shellWords, type Doc } from './markdown.ts';

// The CLI loads a command's module only to run it; the docs are checked against every one.
const LOADED_COMMANDS = await Promise.all(COMMANDS.map((entry) => entry.load()));

// What the docs quote from the code — flags, their defaults, chart values, command lines, printed
// columns and samples — checked against the code, so that a renamed flag or a changed default
// fails here rather than in a reader's terminal.

const docs = readDocs().map((doc) => ({ ...doc, parsed: parseDoc(doc.text) }));
const doc = (path: string) => {
  const found = docs.find((candidate) => candidate.path === path);
  if (!found) throw new Error(`no ${path}`);
  return found;
};
const where = (d: Doc, line: number) => `${d.path}:${String(line)}`;

const BINARIES = { 'promfleet-hub': HUB_FLAGS, 'promfleet-replica-operator': OPERATOR_FLAGS } as const satisfies Record<string, Record<string, FlagSpec>>;
const CHARTS = Object.fromEntries(
  Object.keys(BINARIES).map((chart) => [chart, parse(readFileSync(join(ROOT, 'charts', chart, 'values.yaml'), 'utf8')) as Record<string, unknown>]),
);

/** Flags of other programs the docs mention (kubectl, helm, external-dns, the member's API server, Thanos, Prometheus, curl, this repository's scripts). */
const OTHER_PROGRAMS_FLAGS = new Set([
  ...[
    'all',
    'as',
    'context',
    'create-namespace',
    'dry-run',
    'field-selector',
    'filename',
    'from-file',
    'from-literal',
    'previous',
    'prefix',
    'raw',
    'server-side',
    'since',
    'tail',
    'type',
    'wait',
  ],
  ...['disable-openapi-validation', 'ignore-missing', 'manifest', 'merge', 'reuse-values', 'set', 'strict', 'version'],
  ...[
    'crd-source-apiversion',
    'crd-source-kind',
    'domain-filter',
    'events',
    'interval',
    'policy',
    'provider',
    'registry',
    'source',
    'txt-owner-id',
    'txt-prefix',
    'aws-prefer-cname',
    'label-filter',
    'managed-record-types',
    'migrate-from-txt-owner',
    'min-event-sync-interval',
  ],
  ...['service-account-lookup', 'service-account-max-token-expiration'],
  ...['endpoint', 'reloader.config-file', 'reloader.rule-dir', 'selector.relabel-config', 'web.enable-lifecycle', 'tls'],
  // Thanos Query's (the global query), ingress-nginx's.
  ...['store.sd-files', 'store.sd-interval', 'endpoint.sd-config', 'query.replica-label', 'enable-ssl-passthrough'],
  ...[
    'grpc-client-tls-secure',
    'grpc-client-tls-cert',
    'grpc-client-tls-key',
    'grpc-client-tls-ca',
    'grpc-client-server-name',
    'grpc-server-tls-cert',
    'grpc-server-tls-key',
    'grpc-server-tls-client-ca',
  ],
  ...['frozen-lockfile', 'minutes', 'once', 'round', 'seed', 'smoke'],
  // Node's (V8's heap sizing).
  ...['max-semi-space-size', 'max-old-space-size'],
  // `--flag value or --flag=value`: the syntax itself.
  'flag',
]);

function formatDefault(spec: FlagSpec): string | undefined {
  if (spec.default === undefined) return undefined;
  return Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
}

/** The only inline-code span of a cell, or undefined when the cell is prose. */
function quoted(cell: string): string | undefined {
  const spans = inlineCode(cell);
  return spans.length === 1 && cell.trim() === `\`${spans[0] ?? ''}\`` ? spans[0] : undefined;
}

const flagNames = (cell: string) => [...cell.matchAll(/`--([a-z][a-z0-9-]*)/g)].map((match) => match[1] ?? '');

/** Checks a `| flag | default | meaning |` table against a flag set; returns the flags it lists. */
function checkFlagTable(
  d: Doc,
  table: { line: number; rows: readonly (readonly string[])[] },
  specs: Readonly<Record<string, FlagSpec>>,
  owner: string,
): string[] {
  const listed: string[] = [];
  for (const [flagCell = '', defaultCell = ''] of table.rows) {
    for (const name of flagNames(flagCell)) {
      listed.push(name);
      const spec = specs[name];
      expect(spec, `${where(d, table.line)}: --${name} is not a flag of ${owner}`).toBeDefined();
      const written = quoted(defaultCell);
      const actual = spec ? formatDefault(spec) : undefined;
      if (written !== undefined && actual !== undefined) expect(written, `${where(d, table.line)}: the default of ${owner} --${name}`).toBe(actual);
      if (actual !== undefined && actual !== '' && spec?.type !== 'boolean')
        expect(written, `${where(d, table.line)}: ${owner} --${name} has a default (${actual}); quote it as \`${actual}\``).toBeDefined();
    }
  }
  return listed;
}

const flagTables = (d: (typeof docs)[number]) => d.parsed.tables.filter((table) => table.header[0] === 'flag' && table.header[1] === 'default');

describe('flag tables', () => {
  it.each(Object.entries({ 'docs/hub.md': 'promfleet-hub', 'docs/replica-operator.md': 'promfleet-replica-operator' } as const))(
    '%s lists every flag of %s with its default',
    (path, binary) => {
      const d = doc(path);
      const specs = BINARIES[binary];
      const listed = flagTables(d).flatMap((table) => checkFlagTable(d, table, specs, binary));
      expect(listed.sort()).toEqual(Object.keys(specs).sort());
    },
  );

  it('docs/cli.md lists, in each command section with a table, every flag of that command with its default', () => {
    const d = doc('docs/cli.md');
    const checked: string[] = [];
    for (const table of flagTables(d)) {
      const name = /^(\w+)$/.exec(table.headings[1] ?? '')?.[1];
      const command = LOADED_COMMANDS.find((candidate) => candidate.name === name);
      if (!command) throw new Error(`${where(d, table.line)}: a flag table outside a command's section (${table.headings.join(' > ')})`);
      expect(checkFlagTable(d, table, command.flags, `promfleet ${command.name}`).sort(), where(d, table.line)).toEqual(Object.keys(command.flags).sort());
      checked.push(command.name);
    }
    expect(checked).toEqual(expect.arrayContaining(['join', 'unjoin']));
  });
});

/** Command lines of `promfleet`, `kubectl promfleet`, `promfleet-hub` and `promfleet-replica-operator` in code blocks and inline code. */
function commandLines(): { at: string; program: string; args: string[] }[] {
  const found: { at: string; program: string; args: string[] }[] = [];
  for (const d of docs) {
    const candidates = [
      ...d.parsed.blocks
        .filter((block) => !['yaml', 'json'].includes(block.language))
        .flatMap((block) => block.lines.map((text, i) => ({ line: block.line + 1 + i, text }))),
      ...d.parsed.prose.flatMap(({ line, text }) => inlineCode(text).map((code) => ({ line, text: code }))),
      ...d.parsed.tables.flatMap((table) =>
        table.rows.flatMap((row) => row.flatMap((cell) => inlineCode(cell).map((code) => ({ line: table.line, text: code })))),
      ),
    ];
    for (const { line, text } of candidates) {
      const words = shellWords(text.replace(/^\$ /, ''));
      for (const [i, word] of words.entries()) {
        const before = words[i - 1];
        const isProgram = (word === 'promfleet' && words[i + 1] !== undefined && /^[a-z]/.test(words[i + 1] ?? '')) || word in BINARIES;
        if (!isProgram || (i > 0 && before !== 'kubectl' && before !== 'sudo')) continue;
        found.push({ at: where(d, line), program: word, args: words.slice(i + 1) });
        break;
      }
    }
  }
  return found;
}

/** Upper-case placeholders (`NAME`, `DURATION`) and elisions (`…`) as values of the right type. */
function concrete(args: readonly string[], specs: Readonly<Record<string, FlagSpec>>): string[] {
  const sample = { duration: '10s', integer: '1', bytes: '1Ki', boolean: 'true', string: 'x', list: 'x' } as const;
  const result: string[] = [];
  for (const [i, raw] of args.entries()) {
    const arg = raw.replace(/^[[(]+|[\])]+$/g, '');
    const flag = /^--([a-z][a-z0-9-]*)=(.*)$/.exec(arg);
    const previous = /^--([a-z][a-z0-9-]*)$/.exec(result[i - 1] ?? '');
    const placeholder = (value: string) => /^[A-Z][A-Z_]*$/.test(value) || value.includes('…');
    if (flag && placeholder(flag[2] ?? '')) result.push(`--${flag[1] ?? ''}=${sample[specs[flag[1] ?? '']?.type ?? 'string']}`);
    else if (previous && placeholder(arg) && specs[previous[1] ?? '']?.type !== 'boolean') result.push(sample[specs[previous[1] ?? '']?.type ?? 'string']);
    else result.push(arg);
  }
  // `join --namespace` in prose names the flag: give it a value.
  const last = /^--([a-z][a-z0-9-]*)$/.exec(result.at(-1) ?? '');
  const type = specs[last?.[1] ?? '']?.type;
  if (type !== undefined && type !== 'boolean') result.push(sample[type]);
  return result;
}

describe('command lines', () => {
  const lines = commandLines();

  it('are found (the check looks where the examples are)', () => {
    expect(lines.filter((line) => line.program === 'promfleet').length).toBeGreaterThan(40);
  });

  it('use only flags the command has, with values it accepts', () => {
    const problems: string[] = [];
    for (const { at, program, args } of lines) {
      try {
        if (program === 'promfleet') {
          const [name = '', ...rest] = args;
          if (['--help', '-h', '--version', 'version', 'help', 'COMMAND'].includes(name)) continue;
          const command = LOADED_COMMANDS.find((candidate) => candidate.name === name);
          if (!command) throw new Error(`no command ${name}`);
          command.readFlags(concrete(rest, command.flags));
        } else {
          const specs = BINARIES[program as keyof typeof BINARIES];
          const rest = args[0] === 'api' ? args.slice(1) : args;
          parseFlags(
            specs,
            concrete(rest, specs).filter((arg) => arg !== '…'),
            {},
          );
        }
      } catch (error) {
        problems.push(`${at}: ${program} ${args.join(' ')}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('flags mentioned anywhere', () => {
  it('are flags of a promfleet program, or of a program named in OTHER_PROGRAMS_FLAGS', () => {
    const ours = new Set([
      ...Object.values(BINARIES).flatMap((specs) => Object.keys(specs)),
      ...LOADED_COMMANDS.flatMap((command) => [...Object.keys(command.flags), ...command.otherSpellings]),
      'help',
      'version',
    ]);
    const unknown = docs.flatMap((d) =>
      d.text.split('\n').flatMap((text, i) =>
        [...text.matchAll(/(?<![\w-])--([a-z][a-z0-9.-]*)(\*?)/g)]
          // `--api-*`: a family of flags, not one.
          .filter((match) => match[2] === '')
          .map((match) => (match[1] ?? '').replace(/[.-]+$/, ''))
          .filter((name) => !ours.has(name) && !OTHER_PROGRAMS_FLAGS.has(name))
          .map((name) => `${where(d, i + 1)}: --${name}`),
      ),
    );
    expect(unknown).toEqual([]);
  });
});

interface Schema {
  readonly properties?: Readonly<Record<string, Schema>>;
}
const SCHEMAS = Object.fromEntries(
  Object.keys(BINARIES).map((chart) => [chart, JSON.parse(readFileSync(join(ROOT, 'charts', chart, 'values.schema.json'), 'utf8')) as Schema]),
);

/** Whether a chart has the value: its values.schema.json describes it (or an open object above it). */
function chartHas(chart: string, path: string): boolean {
  let node: Schema | undefined = SCHEMAS[chart];
  for (const key of path.split('.')) {
    if (!node?.properties) return node !== undefined;
    node = node.properties[key];
  }
  return node !== undefined;
}

function valueAt(values: unknown, path: string): { found: boolean; value: unknown } {
  let node: unknown = values;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || !(key in node)) return { found: false, value: undefined };
    node = (node as Record<string, unknown>)[key];
  }
  return { found: true, value: node };
}

describe('chart values', () => {
  it('in the install tables of docs/operations.md exist in that chart, with the defaults of values.yaml', () => {
    const d = doc('docs/operations.md');
    const tables = d.parsed.tables.filter((table) => table.header[0] === 'value' && table.header[1] === 'default');
    expect(tables).toHaveLength(2);
    for (const table of tables) {
      const chart = table.headings.some((heading) => heading.includes('replica operator')) ? 'promfleet-replica-operator' : 'promfleet-hub';
      for (const [pathsCell = '', defaultCell = ''] of table.rows) {
        const paths = inlineCode(pathsCell);
        const defaults = defaultCell.split(/,\s*/).map(quoted);
        for (const [i, path] of paths.entries()) {
          expect(chartHas(chart, path), `${where(d, table.line)}: ${chart} has no value ${path}`).toBe(true);
          const { value } = valueAt(CHARTS[chart], path);
          const written = defaults.length === paths.length ? defaults[i] : undefined;
          if (written !== undefined) expect(parse(written), `${where(d, table.line)}: the default of ${chart} ${path}`).toEqual(value);
        }
      }
    }
  });

  it('set with helm --set, or quoted as a dotted path, exist in a chart', () => {
    const topLevel = new Set(Object.values(CHARTS).flatMap((values) => Object.keys(values)));
    const problems: string[] = [];
    for (const d of docs.filter((candidate) => !candidate.path.startsWith('charts/'))) {
      for (const block of d.parsed.blocks) {
        for (const [i, text] of block.lines.entries()) {
          if (!/\bhelm (install|upgrade|template)\b/.test(text)) continue;
          const chart =
            Object.keys(CHARTS).find((name) => text.includes(`/${name} `) || text.includes(`/${name}\n`) || text.endsWith(`/${name}`)) ??
            (text.includes('replica-operator') ? 'promfleet-replica-operator' : 'promfleet-hub');
          for (const [, path = ''] of text.matchAll(/--set\s+([\w.]+)=/g)) {
            if (!chartHas(chart, path)) problems.push(`${where(d, block.line + 1 + i)}: --set ${path}: ${chart} has no such value`);
          }
        }
      }
      const spans = [
        ...d.parsed.prose.flatMap(({ line, text }) => inlineCode(text).map((code) => ({ line, code }))),
        ...d.parsed.tables.flatMap((table) => table.rows.flat().flatMap((cell) => inlineCode(cell).map((code) => ({ line: table.line, code })))),
      ];
      for (const { line, code } of spans) {
        if (!/^[a-z]\w*(\.[a-zA-Z]\w*)+$/.test(code) || !topLevel.has(code.split('.')[0] ?? '')) continue;
        if (!Object.keys(CHARTS).some((chart) => chartHas(chart, code))) problems.push(`${where(d, line)}: \`${code}\` is no chart value`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('kubectl get output', () => {
  it('shows the columns the CRDs print', async () => {
    const crds = await readCRDs();
    const columns = (resource: string, wide: boolean) => {
      const crd = crds.find((candidate) => candidate.spec.names.plural === resource || candidate.spec.names.shortNames?.includes(resource));
      if (!crd) return undefined;
      const printed = (crd.spec.versions[0]?.additionalPrinterColumns ?? []).filter((column) => wide || !column.priority);
      return ['NAME', ...printed.map((column) => column.name.toUpperCase())];
    };
    let checked = 0;
    for (const d of docs) {
      for (const block of d.parsed.blocks) {
        for (const [i, text] of block.lines.entries()) {
          const command = /^\$ kubectl get (\S+)(.*)$/.exec(text);
          const expected = command ? columns(command[1] ?? '', /-o\s*wide/.test(command[2] ?? '')) : undefined;
          if (!command || !expected) continue;
          const header = (block.lines[i + 1] ?? '').trim().split(/\s{2,}/);
          const allNamespaces = /\s(-A|--all-namespaces)\b/.test(command[2] ?? '');
          expect(header, `${where(d, block.line + 1 + i)}: ${text}`).toEqual(allNamespaces ? ['NAMESPACE', ...expected] : expected);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('promfleet output samples', () => {
  it.each([
    ['$ promfleet members', 'members.txt'],
    ['$ promfleet status', 'status.txt'],
  ])('%s in docs/cli.md is what the command prints for its golden fixture (%s)', (command, golden) => {
    const block = doc('docs/cli.md').parsed.blocks.find((candidate) => candidate.lines[0] === command);
    expect(block, `no sample of ${command}`).toBeDefined();
    const printed = readFileSync(join(ROOT, 'packages/cli/test/golden', golden), 'utf8').trimEnd();
    expect((block?.lines ?? []).slice(1).join('\n').trimEnd()).toBe(printed);
  });
});

describe('token rotation', () => {
  it('states the numbers of CREDENTIAL_LIFECYCLE, which join, the hub and the chart use', () => {
    const d = doc('docs/operations.md');
    const table = d.parsed.tables.find((candidate) => candidate.headings.at(-1) === 'Token rotation');
    expect(table?.rows.map((row) => Number(row[1]))).toEqual([
      CREDENTIAL_LIFECYCLE.tokenTTLDays,
      CREDENTIAL_LIFECYCLE.renewWithinDays,
      CREDENTIAL_LIFECYCLE.expiringWithinDays,
      CREDENTIAL_LIFECYCLE.joinIntervalDays,
    ]);
    expect(valueAt(CHARTS['promfleet-hub'], 'prometheusRule.credentialExpiring.withinDays').value).toBe(CREDENTIAL_LIFECYCLE.expiringWithinDays);
    expect(LOADED_COMMANDS.find((command) => command.name === 'join')?.flags['token-ttl']?.default).toBe(`${String(CREDENTIAL_LIFECYCLE.tokenTTLDays * 24)}h`);
  });
});

describe('links between the docs', () => {
  it('point at files and headings that exist', () => {
    const broken: string[] = [];
    for (const d of docs) {
      for (const [i, text] of d.text.split('\n').entries()) {
        for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z]+:/.test(target)) continue;
          const [file = '', anchor] = target.split('#');
          const path = file === '' ? d.path : join(dirname(d.path), file);
          if (!existsSync(join(ROOT, path))) {
            broken.push(`${where(d, i + 1)}: ${target}: no file ${path}`);
            continue;
          }
          if (anchor === undefined || !path.endsWith('.md')) continue;
          const targetDoc = docs.find((candidate) => candidate.path === path);
          const offered = anchors(targetDoc ? targetDoc.parsed.headings : parseDoc(readFileSync(join(ROOT, path), 'utf8')).headings);
          if (!offered.has(anchor)) broken.push(`${where(d, i + 1)}: ${target}: no heading #${anchor} in ${path}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
