import { z } from 'zod';

import { API_VERSION, DEFAULTS, MEMBER_CLUSTER } from '../constants.ts';
import { dataKey, dnsLabelName, objectName } from './formats.ts';
import { conditionList, objectMeta } from './meta.ts';

/** Member names become label values, DNS set identifiers and credential user names. */
export const memberName = dnsLabelName(63);

export const memberClusterSpec = z.strictObject({
  kubeconfigSecretRef: z
    .strictObject({
      name: objectName.describe('Secret name.'),
      namespace: dnsLabelName(63).default(DEFAULTS.hubNamespace).describe("Secret namespace; the hub's namespace."),
      key: dataKey.default(DEFAULTS.kubeconfigKey).describe('Key holding the kubeconfig.'),
    })
    .describe('Secret in the hub holding the kubeconfig of the scoped member credential.'),
  namespace: dnsLabelName(63).default(DEFAULTS.memberNamespace).describe('Namespace in the member where its PrometheusReplicas live.'),
});

export const memberClusterStatus = z.object({
  observedGeneration: z.number().int().optional(),
  conditions: conditionList.optional().describe('Ready, CredentialScoped, CredentialExpiring.'),
  kubernetesVersion: z.string().optional().describe("The member API server's version."),
  lastProbeTime: z
    .string()
    .meta({ format: 'date-time' })
    .optional()
    .describe(
      'Last sign of life: the last answer from the member through its credential (watch, probe, write); written when the status changes, else every 5 minutes at the member’s own phase of them (so a fleet’s heartbeats come evenly, not all at once).',
    ),
  credentialExpiresAt: z.string().meta({ format: 'date-time' }).optional().describe("When the credential's token or certificate expires."),
  operatorVersion: z
    .string()
    .max(256)
    .optional()
    .describe("The replica operator version(s) the member's hub-managed PrometheusReplicas last reported, comma-separated while an upgrade rolls."),
});

export const memberCluster = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(MEMBER_CLUSTER.kind),
  metadata: objectMeta(memberName),
  spec: memberClusterSpec,
  status: memberClusterStatus.optional(),
});

export type MemberClusterSpec = z.output<typeof memberClusterSpec>;
export type MemberClusterSpecInput = z.input<typeof memberClusterSpec>;
export type MemberClusterStatus = z.output<typeof memberClusterStatus>;
export type MemberCluster = z.output<typeof memberCluster>;
