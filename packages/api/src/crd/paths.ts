import { fileURLToPath } from 'node:url';

/** The repository's `crds/` folder, where generated CRDs are committed. */
export const CRD_DIRECTORY = fileURLToPath(new URL('../../../../crds/', import.meta.url));
