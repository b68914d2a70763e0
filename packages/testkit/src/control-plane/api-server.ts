import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { httpsGet, httpsGetBytes, waitFor } from '../http.ts';
import { adminTLS, type ClusterPKI } from '../pki.ts';
import { ManagedProcess } from '../process/managed-process.ts';
import { exitedForTakenPort, PortInUseError } from '../process/ports.ts';

export interface ApiServerOptions {
  readonly clusterName: string;
  readonly binary: string;
  readonly etcdUrl: string;
  readonly port: number;
  readonly dir: string;
  readonly pki: ClusterPKI;
  /**
   * A Unix socket where an HTTP CONNECT proxy takes the API server's connections to pods and
   * nodes (its "cluster" egress, as konnectivity does on real clusters): how the pod proxy
   * (`pods/NAME:PORT/proxy`) reaches what the fake kubelet runs on loopback.
   */
  readonly egressSocket?: string | undefined;
  /** Serve Go's profiler at `/debug/pprof` to the admin (off by default, as on a hardened cluster). */
  readonly profiling?: boolean | undefined;
}

export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc';

/**
 * One kube-apiserver. Start and stop keep the port and data, so clients reconnect to the same
 * URL after a restart, as they would to a real cluster.
 */
export class ApiServer {
  readonly url: string;
  #options: ApiServerOptions;
  #process: ManagedProcess | undefined;

  constructor(options: ApiServerOptions) {
    this.#options = options;
    this.url = `https://127.0.0.1:${String(options.port)}`;
  }

  get process(): ManagedProcess | undefined {
    return this.#process;
  }

  get running(): boolean {
    return this.#process?.running ?? false;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { binary, clusterName, dir, etcdUrl, pki, port, egressSocket, profiling = false } = this.#options;
    const egress = egressSocket ? [`--egress-selector-config-file=${writeEgressConfig(dir, egressSocket)}`] : [];
    const process = ManagedProcess.spawn({
      name: `kube-apiserver[${clusterName}]`,
      command: binary,
      args: [
        `--etcd-servers=${etcdUrl}`,
        `--etcd-prefix=/clusters/${clusterName}`,
        `--secure-port=${String(port)}`,
        '--insecure-port=0',
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--cert-dir=${dir}`,
        `--tls-cert-file=${pki.servingCertFile}`,
        `--tls-private-key-file=${pki.servingKeyFile}`,
        `--client-ca-file=${pki.caCertFile}`,
        `--service-account-key-file=${pki.serviceAccountPublicKeyFile}`,
        `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
        `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
        `--api-audiences=${SERVICE_ACCOUNT_ISSUER}`,
        '--authorization-mode=RBAC',
        // Room for the Services a benchmark fleet creates; 10.0.0.1 stays the kubernetes Service.
        '--service-cluster-ip-range=10.0.0.0/16',
        // No kubelet mounts tokens here, and without a controller-manager the ServiceAccount
        // admission plugin would reject every pod for lack of a token Secret.
        '--disable-admission-plugins=ServiceAccount',
        '--endpoint-reconciler-type=none',
        '--enable-priority-and-fairness=false',
        `--profiling=${String(profiling)}`,
        '--v=0',
        ...egress,
      ],
      logFile: join(dir, 'kube-apiserver.log'),
    });
    this.#process = process;
    const tls = adminTLS(pki);
    // Ready, and the bootstrap controller has made the `default` namespace, which /readyz does
    // not wait for and which tests (and Leases) use at once.
    try {
      await waitFor(
        `kube-apiserver[${clusterName}]`,
        async () => (await httpsGet(`${this.url}/readyz`, tls)).status === 200 && (await httpsGet(`${this.url}/api/v1/namespaces/default`, tls)).status === 200,
        { timeoutMs: 60_000, intervalMs: 100, failFast: () => (process.running ? undefined : `exited:\n${process.logTail()}`) },
      );
    } catch (error) {
      if (exitedForTakenPort(process.running, process.logTail()))
        throw new PortInUseError(`kube-apiserver[${clusterName}]: port ${String(port)} is taken`, { cause: error });
      throw error;
    }
  }

  /**
   * SIGTERM, then SIGKILL after a second. A v1.20 API server never ends open watches on
   * shutdown, so with any watcher connected (the fake kubelet always is) a graceful stop only
   * ever ends at the SIGKILL; etcd holds every acknowledged write, so nothing is lost.
   */
  async stop(): Promise<void> {
    await this.#process?.stop(1000);
  }

  /**
   * A CPU profile of the next `seconds` of the API server (Go's pprof format, gzipped protobuf:
   * `go tool pprof -top FILE` reads it). Needs `profiling`.
   */
  async cpuProfile(seconds: number): Promise<Buffer> {
    const { pki, clusterName, profiling } = this.#options;
    if (!profiling) throw new Error(`kube-apiserver[${clusterName}] runs without profiling (start the fleet with apiServerProfiling)`);
    const tls = adminTLS(pki);
    const whole = Math.max(1, Math.round(seconds));
    const { status, body } = await httpsGetBytes(`${this.url}/debug/pprof/profile?seconds=${String(whole)}`, tls, (whole + 30) * 1000);
    if (status !== 200)
      throw new Error(`kube-apiserver[${clusterName}]: /debug/pprof/profile answered ${String(status)}: ${body.toString('utf8').slice(0, 200)}`);
    return body;
  }

  async kill(): Promise<void> {
    await this.#process?.kill();
  }

  pause(): void {
    this.#process?.pause();
  }

  resume(): void {
    this.#process?.resume();
  }
}

/** v1.20 reads HTTPConnect over a socket; over TCP it needs TLS (and crashes without it). */
function writeEgressConfig(dir: string, socket: string): string {
  const file = join(dir, 'egress-selector.yaml');
  const config = [
    'apiVersion: apiserver.k8s.io/v1beta1',
    'kind: EgressSelectorConfiguration',
    'egressSelections:',
    '  - name: cluster',
    '    connection:',
    '      proxyProtocol: HTTPConnect',
    '      transport:',
    '        uds:',
    `          udsName: ${socket}`,
    '',
  ].join('\n');
  writeFileSync(file, config);
  return file;
}
