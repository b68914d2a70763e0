import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

import { errorMessage } from '../client/errors.ts';
import type { Logger } from './logger.ts';

/** A serving certificate and its key, as files (a mounted `kubernetes.io/tls` Secret). */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TlsPair {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export class TlsFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsFilesError';
  }
}

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new TlsFilesError(`cannot read the TLS ${what} file ${file}: ${errorMessage(error)}`);
  }
}

/** Reads both files and checks they are a certificate and its private key; errors name the files, never their content. */
export function readTlsPair(files: TlsFiles): TlsPair {
  const pair = { cert: read(files.certFile, 'certificate'), key: read(files.keyFile, 'key') };
  try {
    createSecureContext(pair);
  } catch (error) {
    throw new TlsFilesError(`${files.certFile} and ${files.keyFile} are not a PEM certificate and its private key: ${errorMessage(error)}`);
  }
  return pair;
}

const fingerprint = (pair: TlsPair): string => createHash('sha256').update(pair.cert).update('\u0000').update(pair.key).digest('hex');

/**
 * Re-reads the pair every `intervalMs` and hands a changed, valid pair to `onChange` — how a
 * certificate cert-manager renews reaches a running server. The content is compared, not the
 * mtime, because a Secret volume swaps a symlink. A half-written or mismatched pair (the two
 * files are not replaced at once) is skipped until it is whole; the old pair keeps serving.
 */
export function watchTlsFiles(files: TlsFiles, initial: TlsPair, onChange: (pair: TlsPair) => void, logger: Logger, intervalMs = 2000): () => void {
  let current = fingerprint(initial);
  let failing: string | undefined;
  const timer = setInterval(() => {
    try {
      const pair = readTlsPair(files);
      const next = fingerprint(pair);
      failing = undefined;
      if (next === current) return;
      onChange(pair);
      current = next;
      logger.info({ certFile: files.certFile }, 'serving a renewed TLS certificate');
    } catch (error) {
      const message = errorMessage(error);
      if (failing !== message) logger.warn({ err: message }, 'cannot load the TLS certificate files; still serving the previous certificate');
      failing = message;
    }
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
