import { z } from 'zod';

import { dnsLabelName, prometheusDuration } from './formats.ts';
import { replicaTemplateFields } from './replica-template.ts';
import { labelSelector } from './selector.ts';

/**
 * `spec.overrides` and `spec.rollout` of a PrometheusCluster: what differs per member, and how a
 * change reaches the members. The merge and the placeholders are in ../rollout/.
 */

/**
 * Template fields an override may set: every replica template field but `baseDomain`, which must
 * be the same on every member for round-robin DNS.
 */
export const OVERRIDABLE_FIELDS = (Object.keys(replicaTemplateFields) as (keyof typeof replicaTemplateFields)[]).filter((field) => field !== 'baseDomain');
export type OverridableField = (typeof OVERRIDABLE_FIELDS)[number];

/**
 * The same schema without defaults and with every object field optional: an override states only
 * what it changes, and a default it did not state must not replace the base's value. Rules that
 * look at several fields of one object (retention >= 3 x blockDuration) are checked on the merged
 * spec, where every field is known.
 */
function loosen(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodOptional) {
    return loosen(schema.unwrap() as z.ZodType).optional();
  }
  if (schema instanceof z.ZodObject) {
    const shape = Object.fromEntries(Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => [key, loosen(field).optional()]));
    const loose = z.strictObject(shape);
    return schema.description === undefined ? loose : loose.describe(schema.description);
  }
  return schema;
}

const templateShape = Object.fromEntries(OVERRIDABLE_FIELDS.map((field) => [field, loosen(replicaTemplateFields[field]).optional()]));

export const overrideTemplate = z
  .strictObject(templateShape)
  .describe(
    'Replica template fields for the selected members (any but baseDomain). Merged over the base spec: maps merge by key, lists and scalars replace. Free-text values (external label values, images, annotations) may name the member: {{ member.name }}, {{ member.labels.<key> }} (docs/rollout.md).',
  );

export const override = z.strictObject({
  name: dnsLabelName(63).optional().describe('Shown in status.clusters[].overrides; overrides[<index>] when absent.'),
  clusterSelector: labelSelector.describe('The members this override applies to; {} selects every member.'),
  template: overrideTemplate,
});

export const ROLLOUT_STRATEGIES = ['All', 'Progressive'] as const;
export type RolloutStrategy = (typeof ROLLOUT_STRATEGIES)[number];

export const ROLLOUT_STATES = ['Progressing', 'Paused', 'Halted', 'Complete'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

export const ROLLOUT_DEFAULTS = { maxUnavailable: 1, progressDeadline: '10m' } as const;

const PERCENT = /^(100|[1-9][0-9]?)%$/;

export const maxUnavailable = z
  .union([z.number().int().min(1), z.string().regex(PERCENT, { error: (issue) => `${JSON.stringify(issue.input)} is not a percentage (1% to 100%)` })])
  .meta({ 'x-kubernetes-int-or-string': true });

export const wave = z.strictObject({
  name: dnsLabelName(63).optional().describe('Shown in status.rollout; waves[<index>] when absent.'),
  clusterSelector: labelSelector.describe('Members in this wave (the first wave a member matches); members in no wave come last.'),
});

export const rollout = z
  .strictObject({
    strategy: z
      .enum(ROLLOUT_STRATEGIES, { error: (issue) => `${JSON.stringify(issue.input)} is not a rollout strategy (All or Progressive)` })
      .default('All')
      .describe('All: every member gets a change at once. Progressive: members move to a new revision wave by wave, maxUnavailable at a time.'),
    maxUnavailable: maxUnavailable
      .default(ROLLOUT_DEFAULTS.maxUnavailable)
      .describe('Members updating at once: a count, or a percentage of the selected members (rounded up, at least 1). Offline members do not count.'),
    waves: z.array(wave).optional().describe('Ordered groups of members: a wave starts when every member of the waves before it runs the new revision.'),
    progressDeadline: prometheusDuration
      .default(ROLLOUT_DEFAULTS.progressDeadline)
      .describe('A member not Running at the new revision this long after it got it halts the rollout (RolloutProgressing=False, ProgressDeadlineExceeded).'),
    paused: z.boolean().default(false).describe('Move no member to another revision; new members still get the newest, drift is still repaired.'),
  })
  .prefault({});

export const rolloutStatus = z.object({
  strategy: z.enum(ROLLOUT_STRATEGIES).optional(),
  targetRevision: z.string().optional().describe('The ControllerRevision members move to (the newest).'),
  updated: z.number().int().optional().describe('Selected members Running at the target revision.'),
  pending: z.number().int().optional().describe('Selected members not yet Running at the target revision.'),
  currentWave: z.string().optional().describe('The wave being rolled out.'),
  state: z.enum(ROLLOUT_STATES).optional().describe('Progressing, Paused, Halted or Complete.'),
  message: z.string().optional(),
});

export type Override = z.output<typeof override>;
export type OverrideTemplate = z.output<typeof overrideTemplate>;
export type Rollout = z.output<typeof rollout>;
export type RolloutStatus = z.output<typeof rolloutStatus>;
export type Wave = z.output<typeof wave>;
