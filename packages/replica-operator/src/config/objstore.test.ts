import { describe, expect, it } from 'vitest';

import { checkObjstore } from './objstore.ts';

describe('checkObjstore', () => {
  it('accepts every Thanos type, case-insensitively, and hashes the content', () => {
    const s3 = checkObjstore('type: s3\nconfig:\n  bucket: metrics\n  endpoint: s3.amazonaws.com\nprefix: eu\n', 's3-bucket');
    expect(s3).toMatchObject({ ok: true, type: 'S3' });
    for (const type of ['GCS', 'AZURE', 'SWIFT', 'COS', 'ALIYUNOSS', 'BOS', 'OCI', 'FILESYSTEM']) {
      expect(checkObjstore(`type: ${type}\nconfig: {}\n`, 'b').ok).toBe(true);
    }
    const other = checkObjstore('type: S3\nconfig:\n  bucket: other\n', 's3-bucket');
    expect(s3.ok && other.ok && s3.hash !== other.hash).toBe(true);
  });

  it.each([
    ['a missing key', undefined, 'SecretKeyMissing', 'Secret s3-bucket has no key objstore.yml'],
    ['text that is not YAML', 'type: [S3', 'ObjstoreInvalid', 'is not YAML'],
    ['a scalar', 'S3', 'ObjstoreInvalid', 'must be a mapping'],
    ['no type', 'config: {}\n', 'ObjstoreInvalid', 'type is required'],
    ['an unknown type', 'type: DROPBOX\nconfig: {}\n', 'ObjstoreInvalid', 'type "DROPBOX" is not one of S3, GCS'],
    ['no config', 'type: S3\n', 'ObjstoreInvalid', 'config must be a mapping'],
    ['an unknown field', 'type: S3\nconfig: {}\nbucket: x\n', 'ObjstoreInvalid', 'unknown field "bucket"'],
  ])('rejects %s', (_what, text, reason, message) => {
    const result = checkObjstore(text, 's3-bucket');
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok ? '' : result.message).toContain(message);
  });

  it('never repeats the Secret content in a message', () => {
    const result = checkObjstore('type: NOPE\nconfig:\n  secret_key: hunter2\n', 'b');
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});
