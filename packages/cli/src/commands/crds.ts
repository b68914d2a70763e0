import { renderCRDFiles } from '@promfleet/api';

import { defineCommand, expectArguments } from '../cli/command.ts';
import { compareText } from '../output/table.ts';

/** Every CRD as one multi-document YAML stream, in file-name order. */
export function crdStream(): string {
  return [...renderCRDFiles()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([, yaml]) => yaml)
    .join('---\n');
}

export const crdsCommand = defineCommand({
  name: 'crds',
  usage: 'crds',
  description: 'Prints the CRDs of PrometheusReplica, PrometheusCluster and MemberCluster, generated from the same schemas as validate uses.',
  examples: ['promfleet crds | kubectl apply -f -', 'promfleet crds > crds.yaml'],
  flags: {},
  parse(_flags, positional) {
    expectArguments('crds', positional, []);
    return {};
  },
  execute: (_invocation, io) => {
    io.out(crdStream());
    return Promise.resolve(0);
  },
});
