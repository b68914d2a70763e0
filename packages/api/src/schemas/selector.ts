import { z } from 'zod';

import { labelKey, labelMap, labelValue } from './formats.ts';

const OPERATORS_WITH_VALUES = new Set(['In', 'NotIn']);

export const labelSelectorRequirement = z
  .strictObject({
    key: labelKey.describe('The label key the requirement applies to.'),
    operator: z
      .enum(['In', 'NotIn', 'Exists', 'DoesNotExist'], {
        error: (issue) => `${JSON.stringify(issue.input)} is not an operator (one of In, NotIn, Exists, DoesNotExist)`,
      })
      .describe('In and NotIn need values; Exists and DoesNotExist take none.'),
    values: z.array(labelValue).optional().describe('Label values for In and NotIn.'),
  })
  .superRefine((requirement, ctx) => {
    const count = requirement.values?.length ?? 0;
    if (OPERATORS_WITH_VALUES.has(requirement.operator) && count === 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `must not be empty when operator is ${requirement.operator}`, input: requirement.values });
    }
    if (!OPERATORS_WITH_VALUES.has(requirement.operator) && count > 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `must be empty when operator is ${requirement.operator}`, input: requirement.values });
    }
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: "self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0 : !has(self.values) || size(self.values) == 0",
        message: 'values must be non-empty for In and NotIn and empty for Exists and DoesNotExist',
      },
    ],
  });

/** A standard Kubernetes LabelSelector. An empty selector selects everything. */
export const labelSelector = z.strictObject({
  matchLabels: labelMap.optional().describe('Labels a member must have, each with exactly this value.'),
  matchExpressions: z.array(labelSelectorRequirement).optional().describe('Requirements a member must meet, all of them.'),
});

export type LabelSelector = z.output<typeof labelSelector>;
export type LabelSelectorRequirement = z.output<typeof labelSelectorRequirement>;

/** Whether `labels` satisfy `selector`, with Kubernetes semantics (all requirements ANDed). */
export function matchesLabelSelector(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    switch (operator) {
      case 'In':
        if (!has || value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (has && value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}
