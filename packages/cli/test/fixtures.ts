import { readFileSync } from 'node:fs';

import { parseAllDocuments } from 'yaml';

const FIXTURES = new URL('./fixtures/', import.meta.url);

/** Path of a fixture file, for commands that read files themselves. */
export function fixturePath(name: string): string {
  return new URL(name, FIXTURES).pathname;
}

/** Every document of a multi-document fixture, as the API server would return the objects. */
export function loadFixtures<T>(name: string): T[] {
  return parseAllDocuments(readFileSync(new URL(name, FIXTURES), 'utf8')).map((document) => document.toJS() as T);
}

/** The instant the fixtures' times are read at. */
export const FIXTURE_NOW = new Date('2025-06-01T12:00:00Z');
