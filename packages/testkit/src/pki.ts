import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { TLSClientOptions } from './http.ts';

const run = promisify(execFile);

/**
 * Certificates for one test cluster, made with the openssl command (ECDSA P-256: fast to
 * generate, accepted by kube-apiserver for TLS, client certificates and service-account tokens).
 */
export interface ClusterPKI {
  readonly caCert: string;
  readonly caCertFile: string;
  readonly caKeyFile: string;
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly adminCertFile: string;
  readonly adminKeyFile: string;
  readonly serviceAccountKeyFile: string;
  readonly serviceAccountPublicKeyFile: string;
}

/** The admin's client TLS for a cluster of `pki`: a request with it is authorized for everything. */
export function adminTLS(pki: ClusterPKI): TLSClientOptions {
  return { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey };
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0] ?? ''} failed: ${stderr.trim() || String(error)}`, { cause: error });
  }
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function issue(dir: string, name: string, subject: string, extensions: string): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(['req', '-new', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      '3650',
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

export async function createClusterPKI(dir: string, clusterName: string): Promise<ClusterPKI> {
  await openssl(
    [
      'req',
      '-x509',
      ...KEY,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '3650',
      '-subj',
      `/CN=promfleet-testkit-${clusterName}-ca`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  await Promise.all([
    issue(
      dir,
      'serving',
      '/CN=kube-apiserver',
      'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n',
    ),
    issue(
      dir,
      'admin',
      '/O=system:masters/CN=promfleet-testkit-admin',
      'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
    ),
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'service-account.key'], dir).then(() =>
      openssl(['ec', '-in', 'service-account.key', '-pubout', '-out', 'service-account.pub'], dir),
    ),
  ]);
  const [caCert, adminCert, adminKey] = await Promise.all(['ca.crt', 'admin.crt', 'admin.key'].map((file) => readFile(join(dir, file), 'utf8')));
  return {
    caCert: caCert ?? '',
    caCertFile: join(dir, 'ca.crt'),
    caKeyFile: join(dir, 'ca.key'),
    servingCertFile: join(dir, 'serving.crt'),
    servingKeyFile: join(dir, 'serving.key'),
    adminCert: adminCert ?? '',
    adminKey: adminKey ?? '',
    adminCertFile: join(dir, 'admin.crt'),
    adminKeyFile: join(dir, 'admin.key'),
    serviceAccountKeyFile: join(dir, 'service-account.key'),
    serviceAccountPublicKeyFile: join(dir, 'service-account.pub'),
  };
}
