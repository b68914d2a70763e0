// `pnpm release` as CI runs it, then every artifact installed and run the way a user would:
// from a folder outside the workspace, with no pnpm and no node_modules beside it.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { eventually, freePort, installCRDs, ManagedProcess, startFleet, type Fleet } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

import { helm } from '../../charts/test/helpers/helm.ts';
import { sha256File } from './checksums.ts';
import { chartArchiveName } from './charts.ts';
import { COMPONENTS, ROOT } from './config.ts';
import { CONTAINER_PORTS, IMAGE_PATHS, imageArchiveName, imageReference, NONROOT } from './image/build.ts';
import { openImageArchive } from './image/inspect.ts';
import { CLI_BINARY, cliArchiveName } from './krew.ts';
import { CLI_BUNDLE } from './npm-package.ts';
import { KREW_MANIFEST, npmTarballName } from './publish.ts';
import { releaseVersion } from './version.ts';

const execFileAsync = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function exec(file: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await execFileAsync(file, [...args], { ...options, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof code !== 'number') throw error;
    return { code, stdout: stdout ?? '', stderr: stderr ?? '' };
  }
}

const version = releaseVersion();
// What a user's shell has: Node (the toolchain's, for the bundle) and the system; nothing of the workspace.
const NODE_DIR = dirname(process.execPath);
let scratch: string;
let out: string;
let userDir: string;
let userEnv: NodeJS.ProcessEnv;
let fleet: Fleet;

const VALID = `apiVersion: promfleet.io/v1alpha1
kind: PrometheusCluster
metadata: { name: cloud-clusters, namespace: platform }
spec:
  clusterSelector: { matchLabels: { platform: cloud } }
  configMap: prometheus-config
  bucketSecret: s3-bucket
  highlyAvailable: true
  baseDomain: prometheus.example.com
`;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'promfleet-release-'));
  out = join(scratch, 'release');
  userDir = join(scratch, 'user');
  await mkdir(userDir);
  await cp(join(ROOT, 'e2e', 'fixtures', 'bad-input', '02-pc-dns-ttl-too-long.yaml'), join(userDir, 'invalid.yaml'));
  await writeFile(join(userDir, 'valid.yaml'), VALID);
  userEnv = { PATH: `${NODE_DIR}:/usr/bin:/bin`, HOME: userDir, npm_config_cache: join(scratch, 'npm-cache') };
  // An API server for the images' controllers to run against, started while the release builds.
  const startingFleet = startFleet({ clusters: ['release'], loadBalancer: false }).then(async (started) => {
    fleet = started;
    await installCRDs(started.cluster('release'));
  });
  const release = await exec(process.execPath, ['--conditions=source', join(ROOT, 'scripts', 'release', 'release.ts'), '--output', out], { cwd: ROOT });
  await startingFleet;
  if (release.code !== 0) throw new Error(`pnpm release failed:\n${release.stdout}${release.stderr}`);
}, 300_000);

afterAll(async () => {
  await fleet.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('the release folder', () => {
  it('has checksums that sha256sum verifies for every artifact', async () => {
    const check = await exec('sha256sum', ['--strict', '-c', 'SHA256SUMS'], { cwd: out });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const listed = check.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace(/: OK$/, ''));
    for (const artifact of [
      CLI_BUNDLE,
      cliArchiveName(version),
      npmTarballName(version),
      KREW_MANIFEST,
      'charts/index.yaml',
      ...COMPONENTS.flatMap((c) => [`charts/${chartArchiveName(c, version)}`, `images/${imageArchiveName(c, version)}`]),
    ]) {
      expect(listed).toContain(artifact);
    }
  });
});

/** `promfleet --version` and `promfleet validate` with one CLI artifact, from the user's folder. */
async function expectWorkingCli(command: string, prefixArgs: readonly string[] = []): Promise<void> {
  const run = (...args: string[]): Promise<Result> => exec(command, [...prefixArgs, ...args], { cwd: userDir, env: userEnv });
  expect(await run('--version')).toMatchObject({ code: 0, stdout: `promfleet ${version}\n` });
  const valid = await run('validate', '-f', 'valid.yaml');
  expect(valid.stdout + valid.stderr).toContain('1 file, 1 document: 1 valid');
  expect(valid.code).toBe(0);
  const invalid = await run('validate', '-f', 'invalid.yaml');
  expect(invalid.code).toBe(1);
  expect(invalid.stdout + invalid.stderr).toMatch(/invalid\.yaml:doc 1: spec\.dns\.ttl: /);
}

describe('the CLI', () => {
  it('runs as one bundled file copied out of the workspace (node promfleet.mjs)', async () => {
    const dir = join(scratch, 'bundle');
    await mkdir(dir);
    await cp(join(out, CLI_BUNDLE), join(dir, CLI_BUNDLE));
    await expectWorkingCli(join(NODE_DIR, 'node'), [join(dir, CLI_BUNDLE)]);
    await expectWorkingCli(join(dir, CLI_BUNDLE)); // its shebang
  });

  it('runs as the standalone binary from its archive, with no Node.js on the PATH', async () => {
    const dir = join(scratch, 'binary');
    await mkdir(dir);
    await exec('tar', ['-xzf', join(out, cliArchiveName(version)), '-C', dir]);
    const env = userEnv;
    userEnv = { ...env, PATH: '/nonexistent' };
    try {
      await expectWorkingCli(join(dir, CLI_BINARY));
    } finally {
      userEnv = env;
    }
  });

  it('has a krew manifest pointing at that archive with its sha256', async () => {
    const manifest = parse(await readFile(join(out, KREW_MANIFEST), 'utf8')) as {
      kind: string;
      spec: { version: string; platforms: { uri: string; sha256: string; bin: string; files: { from: string }[] }[] };
    };
    expect(manifest.kind).toBe('Plugin');
    expect(manifest.spec.version).toBe(`v${version}`);
    const [platform] = manifest.spec.platforms;
    expect(platform?.uri.endsWith(`/v${version}/${cliArchiveName(version)}`)).toBe(true);
    expect(platform?.sha256).toBe(await sha256File(join(out, cliArchiveName(version))));
    expect(platform?.bin).toBe(CLI_BINARY);
  });

  it('installs from the npm package with npm i -g, without dependencies, as promfleet and kubectl-promfleet, and reaches a cluster', async () => {
    const prefix = join(scratch, 'npm-prefix');
    const install = await exec('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(out, npmTarballName(version))], {
      cwd: userDir,
      env: userEnv,
    });
    expect(install.code, install.stderr).toBe(0);
    const installed = join(prefix, 'lib', 'node_modules', 'promfleet');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: 'promfleet', version });
    expect(manifest).not.toHaveProperty('private');
    expect(manifest).not.toHaveProperty('dependencies');
    await expectWorkingCli(join(prefix, 'bin', 'promfleet'));
    expect(await exec(join(prefix, 'bin', 'kubectl-promfleet'), ['--version'], { env: userEnv })).toMatchObject({ code: 0, stdout: `promfleet ${version}\n` });
    // A command that talks to a cluster: its client (undici, loaded when first used) is in a chunk of its own.
    const members = await exec(join(prefix, 'bin', 'promfleet'), ['members', `--kubeconfig=${fleet.cluster('release').kubeconfigFile}`], {
      cwd: userDir,
      env: userEnv,
    });
    expect(members, members.stderr).toMatchObject({ code: 0, stdout: 'No members joined.\n' });
  });
});

describe.each(COMPONENTS)('%s', (component) => {
  const chart = (): string => join(out, 'charts', chartArchiveName(component, version));

  it('chart archive passes helm lint --strict and carries the release version', async () => {
    await helm(['lint', '--strict', chart()]);
    expect(parse(await helm(['show', 'chart', chart()]))).toMatchObject({ name: component, version, appVersion: version });
    const index = parse(await readFile(join(out, 'charts', 'index.yaml'), 'utf8')) as {
      entries: Record<string, { version: string; digest: string; urls: string[] }[]>;
    };
    expect(index.entries[component]).toEqual([expect.objectContaining({ version, digest: await sha256File(chart()) })]);
  });

  it('image is a valid OCI archive, named as the chart’s default image, whose entrypoint runs the component', async () => {
    const layout = join(scratch, `layout-${component}`);
    await mkdir(layout);
    const image = await openImageArchive(join(out, 'images', imageArchiveName(component, version)), layout);
    expect(image.reference).toBe(imageReference(component, version));
    expect(image.tag).toBe(version);

    const rendered = parseAllDocuments(await helm(['template', 'promfleet', chart(), '--namespace', 'promfleet-system'])).map(
      (doc) => doc.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: { image: string }[] } } } } | null,
    );
    const images = rendered
      .filter((object) => object?.kind === 'Deployment')
      .flatMap((object) => object?.spec?.template?.spec?.containers?.map((container) => container.image) ?? []);
    expect(images.length).toBeGreaterThan(0);
    for (const used of images) expect(used).toBe(image.reference);

    const { config } = image.config;
    expect(image.config).toMatchObject({ architecture: 'amd64', os: 'linux' });
    expect(config.User).toBe(`${NONROOT}:${NONROOT}`);
    expect(config.Entrypoint).toEqual([IMAGE_PATHS.node, IMAGE_PATHS.app]);
    expect(Object.keys(config.ExposedPorts)).toEqual([`${CONTAINER_PORTS[component]}/tcp`]);

    // The image's own files, run by the image's own loader and libraries: proves the layers hold
    // everything Node needs (ld.so --list resolves nothing outside them) and the bundle starts.
    const root = join(scratch, `rootfs-${component}`);
    await mkdir(root);
    for (const layer of image.layers) await exec('tar', ['-xzf', layer, '-C', root]);
    const loader = join(root, await readlink(join(root, 'lib64', 'ld-linux-x86-64.so.2')));
    const libraryPath = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu'].map((dir) => join(root, dir)).join(':');
    const [node, app] = config.Entrypoint.map((path) => join(root, path));
    const libraries = await exec(loader, ['--library-path', libraryPath, '--list', node ?? '']);
    const resolved = [...libraries.stdout.matchAll(/=> (\S+)/g)].map((match) => match[1]);
    expect(resolved).toContain(join(root, 'lib/x86_64-linux-gnu/libc.so.6'));
    for (const path of resolved) expect(path?.startsWith(`${root}/`), path).toBe(true);
    const help = await exec(loader, ['--library-path', libraryPath, node ?? '', app ?? '', '--help'], { env: {} });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout.startsWith(`${component} — `)).toBe(true);
    expect(await readFile(join(root, 'etc', 'passwd'), 'utf8')).toContain(`nonroot:x:${NONROOT}:${NONROOT}:`);

    // And the controller itself: against a real API server it elects itself, syncs its caches
    // and reports ready — client-node, fastify and the rest work bundled.
    const port = await freePort();
    const controller = ManagedProcess.spawn({
      name: `${component} (image)`,
      command: loader,
      args: [
        '--library-path',
        libraryPath,
        node ?? '',
        app ?? '',
        `--kubeconfig=${fleet.cluster('release').kubeconfigFile}`,
        `--listen=127.0.0.1:${String(port)}`,
        component === 'promfleet-hub' ? '--namespace=default' : '--leader-election-namespace=default',
      ],
      env: {},
      logFile: join(scratch, `${component}.log`),
    });
    try {
      await eventually(`${component} from the image is ready`, async () => {
        if (!controller.running) throw new Error(`${component} exited:\n${controller.logTail()}`);
        return (await fetch(`http://127.0.0.1:${String(port)}/readyz`).catch(() => undefined))?.ok;
      });
    } finally {
      await controller.stop();
    }
  });
});
