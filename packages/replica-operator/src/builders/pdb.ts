import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';

import { selectorLabels, type Component } from '../names.ts';
import { childMetadata, type BuildContext } from './context.ts';

export type PodDisruptionBudget = Omit<IPodDisruptionBudget, 'apiVersion'> & { apiVersion: 'policy/v1' | 'policy/v1beta1' };

function pdb(context: BuildContext, name: string, component: Component): PodDisruptionBudget {
  return {
    apiVersion: context.pdbApiVersion,
    kind: 'PodDisruptionBudget',
    metadata: childMetadata(context, name, component),
    spec: { minAvailable: 1, selector: { matchLabels: selectorLabels(context.name, component) } },
  };
}

/** With two Prometheus and two Query pods, a node drain may take only one of each at a time. */
export function podDisruptionBudgets(context: BuildContext): PodDisruptionBudget[] {
  if (!context.replica.spec.highlyAvailable) return [];
  return [pdb(context, context.names.prometheus, 'prometheus'), pdb(context, context.names.query, 'thanos-query')];
}
