import { join } from 'node:path';

import { repositoryRoot } from '../paths.ts';

/** The entry points of promfleet's programs in this repository, run as production runs them. */
export const ENTRIES = {
  hub: join(repositoryRoot(), 'packages', 'hub', 'src', 'main.ts'),
  replicaOperator: join(repositoryRoot(), 'packages', 'replica-operator', 'src', 'main.ts'),
  cli: join(repositoryRoot(), 'packages', 'cli', 'src', 'main.ts'),
} as const;
