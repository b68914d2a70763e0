import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { EgressProxy } from '../egress-proxy.ts';
import { renderStandInConfig } from './config-render.ts';
import { EXPAND_EXTERNAL_LABELS, standInArgs } from './prometheus-args.ts';
import { hostPathOf, materialiseVolumes } from './volumes.ts';

const mounts = [
  { mountPath: '/etc/prometheus/config', hostPath: '/tmp/pod/volumes/config' },
  { mountPath: '/etc/prometheus/rules', hostPath: '/tmp/pod/volumes/rules' },
  { mountPath: '/prometheus', hostPath: '/tmp/claims/ns/data-p-0' },
];

describe('standInArgs', () => {
  it('passes the operator’s flags to Prometheus 2.42: paths on volumes, a loopback port, the rendered config, label expansion', () => {
    const args = standInArgs(
      [
        '--config.file=/etc/prometheus/config/prometheus.yml',
        '--storage.tsdb.path=/prometheus',
        '--storage.tsdb.retention.time=24h',
        '--storage.tsdb.min-block-duration=2h',
        '--web.enable-lifecycle',
        '--web.listen-address=:9090',
      ],
      { mounts, renderedConfig: '/tmp/pod/rendered/prometheus.yml', port: 41234 },
    );
    expect(args).toEqual({
      configFile: '/etc/prometheus/config/prometheus.yml',
      args: [
        '--config.file=/tmp/pod/rendered/prometheus.yml',
        '--storage.tsdb.path=/tmp/claims/ns/data-p-0',
        '--storage.tsdb.retention.time=24h',
        '--storage.tsdb.min-block-duration=2h',
        '--web.enable-lifecycle',
        '--web.listen-address=127.0.0.1:41234',
        EXPAND_EXTERNAL_LABELS,
      ],
    });
  });

  it('refuses a flag it does not know, a path on no volume, and no config', () => {
    const options = { mounts, renderedConfig: '/r', port: 1 };
    expect(() => standInArgs(['--config.file=/c', '--web.enable-otlp-receiver'], options)).toThrow(/does not know --web.enable-otlp-receiver/);
    expect(() => standInArgs(['--config.file=/c', '--storage.tsdb.path=/data'], options)).toThrow(/--storage.tsdb.path=\/data is on no volume/);
    expect(() => standInArgs(['--web.enable-lifecycle'], options)).toThrow(/no --config.file/);
  });
});

describe('renderStandInConfig', () => {
  it('replaces container paths under mounts, and nothing else', () => {
    const text =
      'rule_files: [/etc/prometheus/rules/*.yaml, /etc/prometheus/config/m.yaml, /elsewhere/x.yaml]\nglobal: {external_labels: {replica: "${POD_NAME}", path: /etc/prometheus/configx}}\n';
    expect(parse(renderStandInConfig(text, (path) => hostPathOf(mounts, path)))).toEqual({
      rule_files: ['/tmp/pod/volumes/rules/*.yaml', '/tmp/pod/volumes/config/m.yaml', '/elsewhere/x.yaml'],
      global: { external_labels: { replica: '${POD_NAME}', path: '/etc/prometheus/configx' } },
    });
  });

  it('leaves text that is not YAML as it is, for Prometheus to refuse', () => {
    expect(renderStandInConfig('global: [', () => undefined)).toBe('global: [');
  });
});

describe('materialiseVolumes', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes ConfigMap and Secret keys as files, follows changes, and reports what is missing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'testkit-volumes-'));
    const data: Record<string, Record<string, string>> = { config: { 'prometheus.yml': 'a', 'm.yaml': 'b' }, secret: { 'objstore.yml': 's' } };
    const sources = { configMap: (_ns: string, name: string) => data[name], secret: (_ns: string, name: string) => data[name] };
    const pod = {
      namespace: 'ns',
      volumes: [
        { name: 'config', configMap: { name: 'config' } },
        { name: 'objstore', secret: { secretName: 'secret', items: [{ key: 'objstore.yml', path: 'objstore.yml' }] } },
        { name: 'data', emptyDir: {} },
      ],
      mounts: [
        { name: 'config', mountPath: '/etc/prometheus/config' },
        { name: 'objstore', mountPath: '/etc/thanos/objstore' },
        { name: 'data', mountPath: '/prometheus' },
      ],
    };
    const first = await materialiseVolumes(pod, { pod: dir, claims: join(dir, 'claims') }, sources);
    expect(first.missing).toEqual([]);
    const config = hostPathOf(first.mounts, '/etc/prometheus/config') ?? '';
    expect(await readFile(join(config, 'prometheus.yml'), 'utf8')).toBe('a');
    expect(await readFile(join(hostPathOf(first.mounts, '/etc/thanos/objstore') ?? '', 'objstore.yml'), 'utf8')).toBe('s');
    data.config = { 'prometheus.yml': 'c' };
    const second = await materialiseVolumes(pod, { pod: dir, claims: join(dir, 'claims') }, sources);
    expect(second.digest).not.toBe(first.digest);
    expect(await readdir(config)).toEqual(['prometheus.yml']);
    expect((await materialiseVolumes(pod, { pod: dir, claims: join(dir, 'claims') }, sources)).digest).toBe(second.digest);
    delete data.secret;
    expect((await materialiseVolumes(pod, { pod: dir, claims: join(dir, 'claims') }, sources)).missing).toEqual(['Secret secret']);
  });
});

describe('EgressProxy', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('tunnels a CONNECT to the pod’s loopback port, and answers 502 for addresses nothing listens on', async () => {
    dir = await mkdtemp(join(tmpdir(), 'testkit-egress-'));
    const target = createServer((req, res) => res.end(`pod saw ${req.url ?? ''}`));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as { port: number }).port;
    const proxy = new EgressProxy(join(dir, 'egress.sock'), (host, containerPort) => (host === '10.244.0.1' && containerPort === 9090 ? port : undefined));
    await proxy.start();
    const connect = (authority: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ socketPath: proxy.socket, method: 'CONNECT', path: authority });
        req.on('connect', (res, socket) => {
          if (res.statusCode !== 200) {
            let body = '';
            socket.on('data', (chunk: Buffer) => (body += chunk.toString()));
            socket.on('end', () => {
              resolve({ status: res.statusCode ?? 0, body });
            });
            return;
          }
          socket.write(`GET /api/v1/status/config HTTP/1.1\r\nHost: ${authority}\r\nConnection: close\r\n\r\n`);
          let body = '';
          socket.on('data', (chunk: Buffer) => (body += chunk.toString()));
          socket.on('end', () => {
            resolve({ status: 200, body });
          });
        });
        req.on('error', reject);
        req.end();
      });
    try {
      expect((await connect('10.244.0.1:9090')).body).toContain('pod saw /api/v1/status/config');
      expect(await connect('10.244.0.2:9090')).toMatchObject({ status: 502 });
    } finally {
      await proxy.stop();
      await new Promise((resolve) => target.close(resolve));
    }
  });
});
