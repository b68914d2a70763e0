import { KubeApiError, KubeConnectionError } from '@promfleet/kube/client';
import { FlagError } from '@promfleet/kube/flags';
import { describe, expect, it } from 'vitest';

import { UnreachableError } from '../errors.ts';
import { errorLine, EXIT, exitCodeFor, UsageError } from './exit-codes.ts';

describe('exitCodeFor', () => {
  it.each([
    ['a usage error', new UsageError('missing NAME'), EXIT.usage],
    ['a flag error', new FlagError('unknown flag --x'), EXIT.usage],
    ['an unreachable API server', new KubeConnectionError('eu', 'get /api', new Error('ECONNREFUSED'), false), EXIT.unreachable],
    [
      'a connection error wrapped by join',
      new Error('join eu failed', { cause: new KubeConnectionError('eu', 'get /api', new Error('x'), true) }),
      EXIT.unreachable,
    ],
    ['an unreachable endpoints API', new UnreachableError('http://x/api/v1/endpoints', new Error('fetch failed')), EXIT.unreachable],
    ['an API error', new KubeApiError('hub', 403, { message: 'forbidden' }, 'list memberclusters'), EXIT.failure],
    ['anything else', new Error('refusing to register eu'), EXIT.failure],
  ])('%s → %i', (_what, error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });
});

describe('errorLine', () => {
  it('puts any message on one line after promfleet:', () => {
    expect(errorLine(new Error('first\n  second\n'))).toBe('promfleet: first second\n');
    expect(errorLine('plain')).toBe('promfleet: plain\n');
  });
});
