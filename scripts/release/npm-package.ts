import { execFile } from 'node:child_process';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { COORDINATES } from './config.ts';

const run = promisify(execFile);

export const CLI_BUNDLE = 'promfleet.mjs';
/** Where the npm package's CLI keeps the code its commands load when they run. */
export const CLI_CHUNKS = 'chunks';

/** The publishable package's manifest: no dependencies (all bundled), `promfleet` and the kubectl plugin name as commands. */
export function npmManifest(version: string): Record<string, unknown> {
  return {
    name: COORDINATES.npmPackage,
    version,
    description: 'promfleet: join member clusters to a promfleet hub with a least-privilege credential, and inspect the fleet (also `kubectl promfleet`)',
    type: 'module',
    bin: { promfleet: CLI_BUNDLE, 'kubectl-promfleet': CLI_BUNDLE },
    files: [CLI_BUNDLE, `${CLI_CHUNKS}/`, 'README.md'],
    engines: { node: '>=22.19' },
    repository: { type: 'git', url: `git+${COORDINATES.repository}.git` },
    homepage: `${COORDINATES.repository}#readme`,
    keywords: ['prometheus', 'thanos', 'kubernetes', 'multi-cluster', 'kubectl-plugin'],
  };
}

function readme(version: string): string {
  return `# promfleet ${version}

The \`promfleet\` command of [promfleet](${COORDINATES.repository}): join member clusters to a
promfleet hub with a least-privilege credential, and inspect the fleet (\`members\`, \`status\`,
\`endpoints\`, \`validate\`, \`crds\`). Bundled, with no dependencies; Node.js 22.19 or newer.

\`\`\`sh
npm install -g ${COORDINATES.npmPackage}@${version}
promfleet --help
kubectl promfleet members   # the same program, as a kubectl plugin
\`\`\`

Documentation: ${COORDINATES.repository}/blob/v${version}/docs/cli.md
`;
}

/**
 * `npm pack` of the CLI, bundled split (`esm-split`: promfleet.mjs and its chunks), as the package
 * `promfleet`; returns the tarball's path.
 */
export async function packNpmPackage(options: { cliDir: string; version: string; workDir: string; outDir: string }): Promise<string> {
  const dir = join(options.workDir, 'npm-package');
  await mkdir(dir, { recursive: true });
  await cp(options.cliDir, dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(npmManifest(options.version), null, 2)}\n`);
  await writeFile(join(dir, 'README.md'), readme(options.version));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', options.outDir], { cwd: dir });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (!packed) throw new Error('npm pack printed no package');
  return join(options.outDir, packed.filename);
}
