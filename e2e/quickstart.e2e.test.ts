import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { repositoryRoot, resolveKubeAssets } from '@promfleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The README's quick start, as a new user runs it: a fresh clone (the committed HEAD of this
// checkout), the machine's old Node first on PATH, no pnpm, nothing installed or unpacked. The
// two commands are read from the README, so README and test cannot drift.
//
// The demo command runs end to end (`--once`) from a fresh clone. The test command is not run
// whole: it would be this very suite, recursively, for ten minutes. Instead the test checks that
// it is exactly what .ci/run runs, and runs it with PROMFLEET_DEV_SETUP_ONLY=1, which stops it
// after the set-up and prints what it would run: on a clone without dependencies and kube assets
// it must install and obtain them. It keeps the toolchain an earlier run put in .cache (if any):
// `./dev` sets up the toolchain with the same first step for every command, and installing Node
// again would double this suite's cost (tens of seconds, mostly the npm registry).
//
// The control-plane binaries come the way this checkout gets them: unpacked from
// ../shared/kube-assets when it has one beside it (as CI does), else through KUBEBUILDER_ASSETS,
// as setup-envtest users provide them.

const ROOT = repositoryRoot();
const SYSTEM_PATH = '/usr/bin:/bin:/usr/sbin:/sbin';
const SETUP_ONLY = 'PROMFLEET_DEV_SETUP_ONLY';
/** Set by pnpm, vitest or this checkout's set-up: a fresh machine has none of them. */
const TOOLCHAIN_VARIABLES = /^(npm_|pnpm_|VITE|TEST$|NODE_ENV$|NODE_OPTIONS$|NODE_PATH$|INIT_CWD$|KUBE_ASSETS$|KUBEBUILDER_ASSETS$|PROMFLEET_)/i;

/** The commands of the README's first ```sh block under "## Quick start". */
function quickStartCommands(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Quick start\n'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The last command .ci/run runs. */
function ciCommand(): string | undefined {
  const lines = readFileSync(join(ROOT, '.ci', 'run'), 'utf8')
    .split('\n')
    .map((line) => line.trim());
  return lines.filter((line) => line !== '' && !line.startsWith('#')).at(-1);
}

function olderThan22_19(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major < 22 || (major === 22 && minor < 19);
}

let work: string;
let clone: string;
let env: NodeJS.ProcessEnv;
let assetsFrom: { kind: 'unpack' } | { kind: 'envtest'; dir: string };

/** Runs `command` with bash in the clone; kills its process group if it outlives `timeoutMs`. */
async function runInClone(command: string, extraEnv: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const child = spawn('bash', ['-c', command], { cwd: clone, env: { ...env, ...extraEnv }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => {
    output += `\n[test: ${command} still running after ${String(timeoutMs / 1000)} s; stopping it]\n`;
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  }, timeoutMs);
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  clearTimeout(timer);
  return { code, output };
}

/** Back to a fresh clone: no node_modules, no .cache (toolchain, kube assets), or only the toolchain. */
function resetClone(options: { keepToolchain?: boolean } = {}): void {
  const keep = options.keepToolchain ? ['-e', '/.cache/node', '-e', '/.cache/pnpm'] : [];
  execFileSync('git', ['clean', '-fdxq', ...keep], { cwd: clone });
  expect(existsSync(join(clone, 'node_modules'))).toBe(false);
  expect(existsSync(join(clone, '.cache', 'kube-assets'))).toBe(false);
  if (!options.keepToolchain) expect(existsSync(join(clone, '.cache'))).toBe(false);
}

function pnpmStore(): string | undefined {
  try {
    return execFileSync('pnpm', ['store', 'path'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'promfleet-quickstart-'));
  clone = join(work, 'promfleet');
  execFileSync('git', ['clone', '--quiet', ROOT, clone]);

  const shared = resolve(ROOT, '..', 'shared');
  if (existsSync(join(shared, 'kube-assets', 'unpack.sh'))) {
    symlinkSync(realpathSync(shared), join(work, 'shared'));
    assetsFrom = { kind: 'unpack' };
  } else {
    // setup-envtest's layout, with the controller-manager added, from what the global setup found.
    const found = (await resolveKubeAssets()).dir;
    const dir = join(work, 'envtest', 'k8s', '1.20.2-linux-amd64');
    mkdirSync(dir, { recursive: true });
    for (const binary of ['etcd', 'kube-apiserver', 'kube-controller-manager']) symlinkSync(join(found, binary), join(dir, binary));
    assetsFrom = { kind: 'envtest', dir };
  }

  const store = pnpmStore();
  // The machine's environment (its CA certificates for the registry, say) less what this
  // process's toolchain, pnpm and vitest put there, with the system's PATH.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !TOOLCHAIN_VARIABLES.test(name)));
  env = {
    ...inherited,
    PATH: SYSTEM_PATH,
    ...(store ? { npm_config_store_dir: store } : {}),
    ...(assetsFrom.kind === 'envtest' ? { KUBEBUILDER_ASSETS: assetsFrom.dir } : {}),
  };
  const pnpmOnPath = spawnSync('sh', ['-c', 'command -v pnpm'], { env, encoding: 'utf8' });
  expect(pnpmOnPath.stdout.trim(), `the fresh-machine PATH ${SYSTEM_PATH} must hold no pnpm`).toBe('');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** What the set-up did, read from the clone and the output; `freshToolchain` when .cache had none. */
function expectSetUp(output: string, freshToolchain: boolean): void {
  const systemNode = spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout.trim();
  if (freshToolchain && olderThan22_19(systemNode)) {
    expect(output).toContain(`toolchain: Node ${systemNode} is older than 22.19; installing Node`);
    expect(existsSync(join(clone, '.cache', 'node', 'bin', 'node'))).toBe(true);
  }
  if (freshToolchain) expect(output).toContain('toolchain: installing pnpm');
  // The PATH given has no pnpm, so this line proves the toolchain was put on it.
  const pinned = /"packageManager": *"pnpm@([^"]+)"/.exec(readFileSync(join(clone, 'package.json'), 'utf8'))?.[1] ?? '?';
  expect(output).toMatch(new RegExp(`dev: node v(\\d+)\\.\\d+\\.\\d+, pnpm ${pinned.replace(/\./g, '\\.')}\n`));
  expect(output).toContain('dev: installing the dependencies (pnpm install --frozen-lockfile)');
  expect(readFileSync(join(clone, 'node_modules', '.pnpm', 'lock.yaml'), 'utf8')).toBe(readFileSync(join(clone, 'pnpm-lock.yaml'), 'utf8'));
  const assets = assetsFrom.kind === 'unpack' ? join(clone, '.cache', 'kube-assets') : assetsFrom.dir;
  expect(output).toContain(`dev: kube assets in ${assets}\n`);
  if (assetsFrom.kind === 'unpack') {
    expect(output).toContain('testkit: kube assets missing; unpacking the prebuilt ones');
    for (const binary of ['etcd', 'kube-apiserver', 'kube-controller-manager']) expect(existsSync(join(assets, binary)), binary).toBe(true);
  } else {
    expect(output).not.toContain('kube assets missing');
  }
}

describe("the README's quick start on a fresh machine", () => {
  it('has two commands, demo then test, and CI runs exactly the test command', () => {
    const commands = quickStartCommands();
    expect(commands).toHaveLength(2);
    expect(ciCommand()).toBe(commands[1]);
  });

  it('the demo command sets up everything from a fresh clone, converges the example fleet, and cleans up', async () => {
    const [demoCommand = ''] = quickStartCommands();
    resetClone();
    const { code, output } = await runInClone(`${demoCommand} --once`, {}, 420_000);
    expect(code, output).toBe(0);
    expectSetUp(output, true);
    expect(output).toContain('joined with promfleet join (platform=cloud, region=eu-west-1)');
    expect(output).toMatch(/platform\/cloud-clusters\s+Ready\s+2\s+2/);
    expect(output.match(/^\s*query\.prometheus\.example\.com\. 30 IN A /gm)).toHaveLength(2);
    expect(output).toContain('endpoints API: http://127.0.0.1:');
    const fleetDir = /\/\S+\/promfleet-fleet-[^/\s]+/.exec(output)?.[0];
    expect(fleetDir).toBeDefined();
    expect(existsSync(fleetDir ?? '/'), 'the fleet directory is removed').toBe(false);
  }, 480_000);

  it('the test command installs the dependencies and obtains the kube assets before it would run pnpm test', async () => {
    const [, testCommand = ''] = quickStartCommands();
    const hadToolchain = existsSync(join(clone, '.cache', 'pnpm'));
    resetClone({ keepToolchain: true });
    const { code, output } = await runInClone(testCommand, { [SETUP_ONLY]: '1' }, 240_000);
    expect(code, output).toBe(0);
    expectSetUp(output, !hadToolchain);
    expect(output).toContain('dev: set up; would run: pnpm test');
  }, 300_000);
});
