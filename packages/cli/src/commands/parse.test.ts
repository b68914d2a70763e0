import { describe, expect, it } from 'vitest';

import { UsageError } from '../cli/exit-codes.ts';
import { crdsCommand } from './crds.ts';
import { endpointsCommand } from './endpoints.ts';
import { joinCommand } from './join.ts';
import { membersCommand } from './members.ts';
import { statusCommand } from './status.ts';
import { unjoinCommand } from './unjoin.ts';
import { validateCommand } from './validate.ts';

function invocation<I>(
  command: { parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): { help: true } | { help: false; invocation: I } },
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): I {
  const parsed = command.parseArgs(argv, env);
  if (parsed.help) throw new Error('unexpected --help');
  return parsed.invocation;
}

describe('join arguments', () => {
  it('applies the defaults', () => {
    expect(invocation(joinCommand, ['eu-west', '--member-context', 'eu-admin'])).toEqual({
      name: 'eu-west',
      member: { kubeconfig: undefined, context: 'eu-admin' },
      hub: { kubeconfig: undefined, context: undefined },
      namespace: 'monitoring',
      hubNamespace: 'promfleet-system',
      labels: undefined,
      tokenTTLSeconds: 365 * 86_400,
      server: undefined,
      memberCAFile: undefined,
      rotate: false,
      acceptIncompleteRules: false,
      requestTimeoutMs: 30_000,
    });
  });

  it('reads every flag, repeated labels and PROMFLEET_ variables', () => {
    const parsed = invocation(
      joinCommand,
      [
        'eu-west',
        '--member-kubeconfig=eu.kubeconfig',
        '--hub-context',
        'hub',
        '--namespace',
        'metrics',
        '--label',
        'region=eu-west-1',
        '--label=tier=',
        '--token-ttl',
        '720h',
        '--server',
        'https://eu.example.com:6443',
        '--member-ca',
        'ca.pem',
        '--rotate',
        '--accept-incomplete-rules',
        '--request-timeout=5s',
      ],
      { PROMFLEET_HUB_KUBECONFIG: '/etc/hub.kubeconfig', PROMFLEET_HUB_NAMESPACE: 'fleet' },
    );
    expect(parsed).toEqual({
      name: 'eu-west',
      member: { kubeconfig: 'eu.kubeconfig', context: undefined },
      hub: { kubeconfig: '/etc/hub.kubeconfig', context: 'hub' },
      namespace: 'metrics',
      hubNamespace: 'fleet',
      labels: { region: 'eu-west-1', tier: '' },
      tokenTTLSeconds: 720 * 3600,
      server: 'https://eu.example.com:6443',
      memberCAFile: 'ca.pem',
      rotate: true,
      acceptIncompleteRules: true,
      requestTimeoutMs: 5000,
    });
  });

  it('shows help', () => {
    expect(joinCommand.parseArgs(['--help'], {})).toEqual({ help: true });
    expect(joinCommand.help()).toContain('--member-kubeconfig FILE');
    expect(joinCommand.help()).toContain('Exit codes:');
  });

  it.each([
    [[], 'join: missing NAME (see promfleet join --help)'],
    [['eu-west'], 'join: give the member cluster with --member-kubeconfig or --member-context (see promfleet join --help)'],
    [['eu-west', 'us-east', '--member-context', 'x'], 'join: unexpected argument "us-east" (see promfleet join --help)'],
    [['eu_west', '--member-context', 'x'], 'join: member name: "eu_west" must contain only lowercase letters, digits and -'],
    [['x'.repeat(64), '--member-context', 'x'], 'join: member name: must be at most 63 characters (got 64)'],
    [['eu', '--member-context', 'x', '--namespace', 'Mon'], 'join: namespace: "Mon" must contain only lowercase letters, digits and -'],
    [['eu', '--member-context', 'x', '--label', 'region'], '--label "region": expected KEY=VALUE'],
    [['eu', '--member-context', 'x', '--label', 'region=eu west'], 'join: labels: label value "eu west" is invalid'],
    [['eu', '--member-context', 'x', '--token-ttl', '5m'], 'join: token TTL: must be at least 10m (the TokenRequest minimum), got 300s'],
    [['eu', '--member-context', 'x', '--server', 'http://eu:6443'], 'join: --server must be an https:// URL'],
    [['eu', '--member-context', 'x', '-o', 'json'], 'unknown flag -o (see --help)'],
    [['eu', '--member-context', 'x', '--token-ttl', '1y'], 'invalid duration "1y" for --token-ttl'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => joinCommand.parseArgs(argv, {})).toThrow(message);
  });
});

describe('unjoin arguments', () => {
  it('needs no member flags: without them only the hub is cleaned up', () => {
    expect(invocation(unjoinCommand, ['eu-west'])).toEqual({
      name: 'eu-west',
      member: undefined,
      hub: { kubeconfig: undefined, context: undefined },
      namespace: undefined,
      hubNamespace: undefined,
      keepReplicas: false,
      requestTimeoutMs: 30_000,
    });
  });

  it('reads the member, keep-replicas and the fallback namespaces', () => {
    expect(
      invocation(unjoinCommand, ['eu-west', '--member-context', 'eu', '--keep-replicas', '--namespace', 'metrics', '--hub-namespace', 'fleet']),
    ).toMatchObject({
      member: { kubeconfig: undefined, context: 'eu' },
      keepReplicas: true,
      namespace: 'metrics',
      hubNamespace: 'fleet',
    });
  });

  it.each([
    [[], 'unjoin: missing NAME'],
    [['EU'], 'unjoin: member name: "EU" must contain only lowercase letters, digits and -'],
    [['eu', '--keep-replicas=perhaps'], 'invalid boolean "perhaps" for --keep-replicas'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => unjoinCommand.parseArgs(argv, {})).toThrow(message);
  });
});

describe('members arguments', () => {
  it.each([
    [[], 'table'],
    [['-o', 'json'], 'json'],
    [['-o=yaml'], 'yaml'],
    [['-ojson'], 'json'],
    [['--output', 'yaml'], 'yaml'],
  ])('%j → %s', (argv, output) => {
    expect(invocation(membersCommand, argv)).toEqual({ hub: { kubeconfig: undefined, context: undefined }, output, requestTimeoutMs: 30_000 });
  });

  it('takes the hub from flags or PROMFLEET_HUB_CONTEXT', () => {
    expect(invocation(membersCommand, ['--hub-kubeconfig', 'hub.kubeconfig'], { PROMFLEET_HUB_CONTEXT: 'hub' }).hub).toEqual({
      kubeconfig: 'hub.kubeconfig',
      context: 'hub',
    });
  });

  it.each([
    [['-o', 'wide'], 'invalid output format "wide" for -o (table, json, yaml)'],
    [['extra'], 'members: unexpected argument "extra"'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => membersCommand.parseArgs(argv, {})).toThrow(message);
  });
});

describe('status arguments', () => {
  it('takes one PrometheusCluster as NAMESPACE/NAME, or none', () => {
    expect(invocation(statusCommand, ['platform/cloud', '-o', 'yaml'])).toMatchObject({ target: { namespace: 'platform', name: 'cloud' }, output: 'yaml' });
    expect(invocation(statusCommand, []).target).toBeUndefined();
  });

  it.each([[['cloud']], [['platform/']], [['a/b/c']]])('%j is not NAMESPACE/NAME', (argv) => {
    expect(() => statusCommand.parseArgs(argv, {})).toThrow(UsageError);
  });
});

describe('endpoints arguments', () => {
  it('reads the hub by default, as zone lines', () => {
    expect(invocation(endpointsCommand, [])).toEqual({
      format: 'zone',
      source: { hub: { kubeconfig: undefined, context: undefined } },
      requestTimeoutMs: 30_000,
    });
  });

  it('reads the endpoints API with --api and an optional token file', () => {
    expect(invocation(endpointsCommand, ['--format', 'json', '--api', 'https://promfleet.example.com', '--api-token-file', '/run/token'])).toEqual({
      format: 'json',
      source: { api: 'https://promfleet.example.com', tokenFile: '/run/token', caFile: undefined },
      requestTimeoutMs: 30_000,
    });
  });

  it.each([
    ['http://127.0.0.1:8080', []],
    ['http://localhost:8080', []],
    ['http://[::1]:8080', []],
    ['https://promfleet.example.com', ['--api-ca-file', '/run/ca.crt']],
    ['http://promfleet.example.com', ['--insecure']],
  ])('sends the token to %s %j', (api, extra) => {
    expect(() => endpointsCommand.parseArgs(['--api', api, '--api-token-file', '/run/token', ...extra], {})).not.toThrow();
  });

  it.each([
    [['--format', 'bind'], 'endpoints: invalid --format "bind" (zone, json)'],
    [['--api-token-file', '/run/token'], 'endpoints: --api-token-file needs --api'],
    [['--api', 'promfleet.example.com'], 'endpoints: --api must be an http:// or https:// URL'],
    [
      ['--api', 'http://promfleet.example.com', '--api-token-file', '/run/token'],
      'endpoints: refusing to send the API token over plain http:// to promfleet.example.com: use https://, or --insecure to send it anyway',
    ],
    [['--api', 'http://10.0.0.5:8080', '--api-token-file', '/run/token'], 'endpoints: refusing to send the API token over plain http:// to 10.0.0.5'],
    [['--api', 'http://[2001:db8::1]:8080', '--api-token-file', '/run/token'], 'endpoints: refusing to send the API token over plain http:// to [2001:db8::1]'],
    [['--insecure'], 'endpoints: --insecure needs --api'],
    [['--api-ca-file', '/run/ca.crt'], 'endpoints: --api-ca-file needs --api'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => endpointsCommand.parseArgs(argv, {})).toThrow(message);
  });
});

describe('validate arguments', () => {
  it('takes repeated -f and --filename', () => {
    expect(invocation(validateCommand, ['-f', 'a.yaml', '--filename=dir', '-fb.json'])).toEqual({ paths: ['a.yaml', 'dir', 'b.json'] });
  });

  it.each([
    [[], 'validate: give at least one -f FILE or folder'],
    [['a.yaml'], 'validate: unexpected argument "a.yaml"'],
    [['-x', 'a.yaml'], 'unknown flag -x'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => validateCommand.parseArgs(argv, {})).toThrow(message);
  });
});

describe('crds arguments', () => {
  it('takes none', () => {
    expect(invocation(crdsCommand, [])).toEqual({});
    expect(() => crdsCommand.parseArgs(['all'], {})).toThrow('crds: unexpected argument "all"');
  });
});

describe("kubectl's --kubeconfig and --context (kubectl passes them to plugins)", () => {
  it.each([
    ['members', membersCommand],
    ['status', statusCommand],
  ] as const)('name the hub for %s, which talks only to the hub', (_, command) => {
    expect(invocation(command, ['--kubeconfig', 'hub.yaml', '--context=hub-admin']).hub).toEqual({ kubeconfig: 'hub.yaml', context: 'hub-admin' });
    expect(command.help()).toContain('--kubeconfig is the same as --hub-kubeconfig');
  });

  it('name the hub for endpoints', () => {
    expect(invocation(endpointsCommand, ['--kubeconfig=hub.yaml', '--context', 'hub-admin']).source).toEqual({
      hub: { kubeconfig: 'hub.yaml', context: 'hub-admin' },
    });
  });

  it.each([
    ['join', joinCommand, ['eu-west', '--member-context', 'eu', '--kubeconfig', 'x.yaml']],
    ['unjoin', unjoinCommand, ['eu-west', '--kubeconfig=x.yaml']],
  ] as const)('are refused by %s, which talks to two clusters, saying which flag names which', (name, command, argv) => {
    expect(() => command.parseArgs(argv, {})).toThrow(
      new UsageError(
        `${name}: --kubeconfig is ambiguous with two clusters: give the member cluster's kubeconfig with --member-kubeconfig and the hub's with --hub-kubeconfig`,
      ),
    );
    expect(() => command.parseArgs(['eu-west', '--context', 'x'], {})).toThrow(
      new UsageError(
        `${name}: --context is ambiguous with two clusters: give the member cluster's context with --member-context and the hub's with --hub-context`,
      ),
    );
    expect(command.help()).toContain('--context is ambiguous with two clusters');
  });
});
