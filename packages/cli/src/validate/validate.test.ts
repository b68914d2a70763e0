import { describe, expect, it } from 'vitest';

import { fixturePath } from '../../test/fixtures.ts';
import { run } from '../cli/run.ts';
import { formatFinding, validateText } from './documents.ts';

async function validateCommand(...paths: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (text: string) => (out += text), err: (text: string) => (err += text), env: {}, now: () => new Date(0) };
  const code = await run(['validate', ...paths.flatMap((path) => ['-f', path])], io);
  const root = fixturePath('validate/');
  return { code, out: out.replaceAll(root, '<fixtures>/'), err };
}

describe('promfleet validate', () => {
  it('reports every problem in folders (recursively), multi-document files and YAML syntax errors, and exits 1', async () => {
    const result = await validateCommand(
      fixturePath('validate/manifests'),
      fixturePath('validate/broken.yaml'),
      fixturePath('validate/missing.yaml'),
      fixturePath('validate/empty-folder'),
    );
    expect(result.code).toBe(1);
    expect(result.err).toBe('');
    await expect(result.out).toMatchFileSnapshot('../../test/golden/validate.txt');
  });

  it('exits 0 when every promfleet object is valid, with other kinds only noted', async () => {
    const result = await validateCommand(fixturePath('validate/manifests/nested/member.json'));
    expect(result).toEqual({ code: 0, out: '1 file, 1 document: 1 valid, 0 skipped, 0 errors\n', err: '' });
  });

  it('needs at least one file: exit 2', async () => {
    const result = await validateCommand();
    expect(result).toEqual({ code: 2, out: '', err: 'promfleet: validate: give at least one -f FILE or folder (see promfleet validate --help)\n' });
  });
});

describe('validateText', () => {
  it('numbers documents from 1, counting empty ones, and names the field of each error', () => {
    const text = '---\n---\napiVersion: promfleet.io/v1alpha1\nkind: PrometheusReplica\nmetadata: { name: x }\nspec: { configMap: c }\n';
    const report = validateText('r.yaml', text);
    expect(report.findings.map(formatFinding)).toEqual(['r.yaml:doc 2: spec.bucketSecret: is required']);
    expect(report).toMatchObject({ documents: 1, valid: 0, skipped: 0 });
  });
});
