import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { scratchRoot } from '@promfleet/testkit';

const run = promisify(execFile);

// `openssl ca` is the one openssl 3.0 command that takes an exact end date (x509 -req only
// takes days), so a certificate can expire while a test watches.
const CA_CONFIG = `[ca]
default_ca = test_ca
[test_ca]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any_subject
unique_subject = no
email_in_dn = no
x509_extensions = client
[any_subject]
commonName = supplied
organizationName = optional
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
`;

export interface ClientCertificate {
  readonly cert: string;
  readonly key: string;
  readonly notAfter: Date;
}

/** `YYYYMMDDHHMMSSZ`, what `openssl ca -startdate/-enddate` reads. */
function opensslTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/[-:T]/g, '')}Z`;
}

/**
 * A client certificate for `user` (and `groups`), signed by a cluster's CA, that expires at
 * `notAfter`. kube-apiserver maps CN to the user name and O to groups, so a certificate for
 * `system:serviceaccount:<ns>:<name>` gets that ServiceAccount's RBAC rights.
 */
export async function issueClientCertificate(
  ca: { certFile: string; keyFile: string },
  user: string,
  notAfter: Date,
  groups: readonly string[] = [],
): Promise<ClientCertificate> {
  const dir = await mkdtemp(join(scratchRoot(), 'promfleet-client-cert-'));
  try {
    await Promise.all([writeFile(join(dir, 'ca.cnf'), CA_CONFIG), writeFile(join(dir, 'index.txt'), ''), writeFile(join(dir, 'serial'), '01\n')]);
    const subject = `${groups.map((group) => `/O=${group}`).join('')}/CN=${user}`;
    await run(
      'openssl',
      ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', subject],
      { cwd: dir },
    );
    const start = new Date(Date.now() - 60_000);
    await run(
      'openssl',
      [
        'ca',
        '-batch',
        '-notext',
        '-config',
        'ca.cnf',
        '-cert',
        ca.certFile,
        '-keyfile',
        ca.keyFile,
        '-in',
        'client.csr',
        '-out',
        'client.crt',
        '-startdate',
        opensslTime(start),
        '-enddate',
        opensslTime(notAfter),
      ],
      { cwd: dir },
    );
    const [cert, key] = await Promise.all([readFile(join(dir, 'client.crt'), 'utf8'), readFile(join(dir, 'client.key'), 'utf8')]);
    return { cert, key, notAfter: new Date(Math.floor(notAfter.getTime() / 1000) * 1000) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
