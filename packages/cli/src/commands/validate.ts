import { defineCommand, expectArguments } from '../cli/command.ts';
import { EXIT, UsageError } from '../cli/exit-codes.ts';
import type { CliIO } from '../cli/io.ts';
import { formatFinding } from '../validate/documents.ts';
import { summarize, validateFiles } from '../validate/files.ts';

export interface ValidateInvocation {
  readonly paths: readonly string[];
}

export const validateCommand = defineCommand({
  name: 'validate',
  usage: 'validate -f FILE|DIR [-f FILE|DIR ...]',
  description: `Reads YAML and JSON files (folders recursively: *.yaml, *.yml, *.json), every document of
multi-document YAML, and validates each PrometheusReplica, PrometheusCluster and MemberCluster
with the same schemas as the controllers, including the rules CRDs cannot express (retention at
least 3 x blockDuration, reserved external labels, selector values). Documents of other kinds
are skipped with a note; a document without a kind, with an unknown promfleet kind or with a
YAML syntax error is an error. Every error is printed as FILE:doc N: PATH: MESSAGE.`,
  examples: ['promfleet validate -f prometheus-cluster.yaml', 'promfleet validate -f manifests/ -f extra/replica.json'],
  flags: { filename: { type: 'list', value: 'FILE|DIR', description: 'File or folder to validate; repeatable.' } },
  shorthands: { f: 'filename' },
  parse(flags, positional): ValidateInvocation {
    expectArguments('validate', positional, []);
    if (flags.filename.length === 0) throw new UsageError('validate: give at least one -f FILE or folder (see promfleet validate --help)');
    return { paths: flags.filename };
  },
  execute: async (invocation: ValidateInvocation, io: CliIO) => {
    const report = await validateFiles(invocation.paths);
    for (const finding of report.findings) io.out(`${formatFinding(finding)}\n`);
    io.out(`${summarize(report)}\n`);
    return report.errors > 0 ? EXIT.failure : EXIT.ok;
  },
});
