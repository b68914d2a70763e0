import { z } from 'zod';

import { labelMap } from './formats.ts';

/** The parts of ObjectMeta promfleet reads. Other fields pass through untouched. */
export function objectMeta<Name extends z.ZodType<string>>(name: Name) {
  return z.looseObject({
    name,
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.number().int().optional(),
    creationTimestamp: z.string().optional(),
    deletionTimestamp: z.string().optional(),
    labels: labelMap.optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    finalizers: z.array(z.string()).optional(),
    ownerReferences: z
      .array(
        z.looseObject({
          apiVersion: z.string(),
          kind: z.string(),
          name: z.string(),
          uid: z.string(),
          controller: z.boolean().optional(),
          blockOwnerDeletion: z.boolean().optional(),
        }),
      )
      .optional(),
  });
}

export type ObjectMeta = z.output<ReturnType<typeof objectMeta<z.ZodString>>>;

const CONDITION_TYPE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
const CONDITION_REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

/** metav1.Condition, as Kubernetes API conventions define it. */
export const condition = z.object({
  type: z.string().max(316).regex(CONDITION_TYPE),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: z.number().int().min(0).optional(),
  lastTransitionTime: z.string().meta({ format: 'date-time' }),
  reason: z.string().min(1).max(1024).regex(CONDITION_REASON),
  message: z.string().max(32768),
});

export type Condition = z.output<typeof condition>;
export type ConditionStatus = Condition['status'];

export const conditionList = z.array(condition).meta({
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
});
