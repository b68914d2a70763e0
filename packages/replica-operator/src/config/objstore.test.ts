import { describe, expect, it } from 'vitest';

import { checkObjstore, OBJSTORE_TYPES } from './objstore.ts';

const S3 = 'type: s3\nconfig:\n  bucket: metrics\n  endpoint: s3.amazonaws.com\nprefix: eu\n';

// The smallest config each provider accepts: what thanos-io/objstore requires before it connects.
const MINIMAL: Record<string, string> = {
  S3: 'bucket: b\n  endpoint: s3.example.com',
  GCS: 'bucket: b',
  AZURE: 'storage_account: acct\n  container: c',
  SWIFT: 'auth_url: https://keystone.example.com/v3\n  container_name: c',
  COS: 'bucket: b\n  app_id: "1"\n  region: r\n  secret_id: i\n  secret_key: k',
  ALIYUNOSS: 'endpoint: oss.example.com\n  bucket: b\n  access_key_id: i\n  access_key_secret: s',
  BOS: 'bucket: b\n  endpoint: bos.example.com\n  access_key: a\n  secret_key: s',
  OCI: 'provider: instance-principal\n  bucket: b',
  OBS: 'bucket: b\n  endpoint: obs.example.com\n  access_key: a\n  secret_key: s',
};

const check = (type: string, config: string) => checkObjstore(`type: ${type}\nconfig:\n  ${config}\n`, 'bucket');
const message = (result: ReturnType<typeof checkObjstore>) => (result.ok ? '' : result.message);

describe('checkObjstore', () => {
  it('accepts every provider Thanos supports but FILESYSTEM, case-insensitively, and hashes the content', () => {
    expect(OBJSTORE_TYPES).toEqual(['S3', 'GCS', 'AZURE', 'SWIFT', 'COS', 'ALIYUNOSS', 'BOS', 'OCI', 'OBS']);
    const s3 = checkObjstore(S3, 's3-bucket');
    expect(s3).toMatchObject({ ok: true, type: 'S3' });
    for (const [type, config] of Object.entries(MINIMAL)) expect(check(type.toLowerCase(), config), type).toMatchObject({ ok: true, type });
    const other = checkObjstore(S3.replace('metrics', 'other'), 's3-bucket');
    expect(s3.ok && other.ok && s3.hash !== other.hash).toBe(true);
  });

  it('accepts nested provider settings of the right types', () => {
    const full = check(
      'S3',
      'bucket: b\n  endpoint: e\n  insecure: true\n  part_size: 67108864\n  put_user_metadata: {a: b}\n  http_config:\n    idle_conn_timeout: 90s\n    tls_config: {ca_file: /ca.pem}\n  sse_config: {type: SSE-KMS, kms_key_id: k}\n  bucket_lookup_type: path',
    );
    expect(full.ok).toBe(true);
  });

  it.each([
    ['a missing key', undefined, 'SecretKeyMissing', 'Secret s3-bucket has no key objstore.yml'],
    ['text that is not YAML', 'type: [S3', 'ObjstoreInvalid', 'is not YAML'],
    ['a scalar', 'S3', 'ObjstoreInvalid', 'must be a mapping'],
    ['no type', 'config: {}\n', 'ObjstoreInvalid', 'type is required'],
    ['an unknown type', 'type: DROPBOX\nconfig: {}\n', 'ObjstoreInvalid', 'type "DROPBOX" is not one of S3, GCS'],
    ['FILESYSTEM', 'type: FILESYSTEM\nconfig: {directory: /data}\n', 'ObjstoreInvalid', 'type FILESYSTEM cannot work here'],
    ['no config', 'type: S3\n', 'ObjstoreInvalid', 'config must be a mapping'],
    ['an unknown field', 'type: S3\nconfig: {}\nbucket: x\n', 'ObjstoreInvalid', 'unknown field "bucket"'],
    ['a misspelled provider field', 'type: S3\nconfig: {bucket: b, endpoint: e, acces_key: a}\n', 'ObjstoreInvalid', 'unknown field config.acces_key'],
    ['S3 without an endpoint', 'type: S3\nconfig: {bucket: b}\n', 'ObjstoreInvalid', 'config.endpoint is required for type S3'],
    ['S3 without a bucket', 'type: S3\nconfig: {endpoint: e}\n', 'ObjstoreInvalid', 'config.bucket is required for type S3'],
    [
      'an access key without its secret',
      'type: S3\nconfig: {bucket: b, endpoint: e, access_key: a}\n',
      'ObjstoreInvalid',
      'config.access_key and config.secret_key must be set together',
    ],
    [
      'SSE-C without a key',
      'type: S3\nconfig: {bucket: b, endpoint: e, sse_config: {type: SSE-C}}\n',
      'ObjstoreInvalid',
      'encryption_key is required with type SSE-C',
    ],
    ['a wrongly typed field', 'type: S3\nconfig: {bucket: b, endpoint: e, insecure: "yes"}\n', 'ObjstoreInvalid', 'config.insecure must be true or false'],
    [
      'a bad duration',
      'type: GCS\nconfig: {bucket: b, http_config: {idle_conn_timeout: soon}}\n',
      'ObjstoreInvalid',
      'config.http_config.idle_conn_timeout must be a duration',
    ],
    [
      'an unknown nested field',
      'type: GCS\nconfig: {bucket: b, http_config: {tls_config: {ca: x}}}\n',
      'ObjstoreInvalid',
      'unknown field config.http_config.tls_config.ca',
    ],
    ['GCS no_auth, which objstore cannot read', 'type: GCS\nconfig: {bucket: b, no_auth: true}\n', 'ObjstoreInvalid', 'unknown field config.no_auth'],
    ['OBS without credentials', 'type: OBS\nconfig: {bucket: b, endpoint: e}\n', 'ObjstoreInvalid', 'config.access_key is required for type OBS'],
    [
      'Azure with two credentials',
      'type: AZURE\nconfig: {storage_account: a, container: c, storage_account_key: k, storage_connection_string: s}\n',
      'ObjstoreInvalid',
      'mutually exclusive',
    ],
    ['OCI with an unknown provider', 'type: OCI\nconfig: {provider: magic}\n', 'ObjstoreInvalid', 'config.provider is not one of default'],
    ['OCI raw without keys', 'type: OCI\nconfig: {provider: raw}\n', 'ObjstoreInvalid', 'config.tenancy_ocid is required for type OCI'],
    ['duplicate keys', 'type: S3\ntype: GCS\nconfig: {}\n', 'ObjstoreInvalid', 'is not YAML'],
  ])('rejects %s', (_what, text, reason, expected) => {
    const result = checkObjstore(text, 's3-bucket');
    expect(result).toMatchObject({ ok: false, reason });
    expect(message(result)).toContain(expected);
  });

  it('never repeats the Secret content in a message', () => {
    for (const text of [
      'type: NOPE\nconfig:\n  secret_key: hunter2\n',
      'type: S3\nconfig: {bucket: b, endpoint: e, secret_key: hunter2, access_key: [hunter2]}\n',
      'type: S3\nconfig: {bucket: b, endpoint: e, bucket_lookup_type: hunter2, sse_config: {type: hunter2}}\n',
      'type: OCI\nconfig: {provider: hunter2}\n',
    ]) {
      expect(JSON.stringify(checkObjstore(text, 'b'))).not.toContain('hunter2');
    }
  });
});
