// Writes docs/api.md from the zod schemas.
import { writeFile } from 'node:fs/promises';

import { renderApiReference } from '../src/docs/api-reference.ts';
import { API_REFERENCE_FILE } from '../src/docs/paths.ts';

await writeFile(API_REFERENCE_FILE, renderApiReference());
console.log('wrote docs/api.md');
