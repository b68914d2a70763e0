import { fileURLToPath } from 'node:url';

/** The repository's docs/api.md, generated from the schemas. */
export const API_REFERENCE_FILE = fileURLToPath(new URL('../../../../docs/api.md', import.meta.url));
