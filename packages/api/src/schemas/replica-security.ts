import { z } from 'zod';

import { GROUP } from '../constants.ts';
import { labelKeyProblem, labelMap, objectName } from './formats.ts';
import { labelSelectorRequirement } from './selector.ts';

/**
 * The replica fields that decide what a replica exposes and who may reach it: how its Ingress
 * is served (class, annotations, TLS) and the NetworkPolicies around its pods.
 */

// The API server's limit on all annotations of one object.
const MAX_ANNOTATIONS_BYTES = 256 * 1024;
const RESERVED_ANNOTATION_PREFIX = `${GROUP}/`;

/** Annotations for the Ingress: qualified-name keys, any values, none in promfleet.io/ (the operator's own). */
export const ingressAnnotations = z.record(z.string(), z.string()).superRefine((annotations, ctx) => {
  let bytes = 0;
  for (const [key, value] of Object.entries(annotations)) {
    bytes += key.length + value.length;
    const problem = key.startsWith(RESERVED_ANNOTATION_PREFIX)
      ? `annotation key ${JSON.stringify(key)} is reserved: the operator sets ${RESERVED_ANNOTATION_PREFIX} annotations itself`
      : labelKeyProblem(key, 'annotation key');
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [key], input: key });
  }
  if (bytes > MAX_ANNOTATIONS_BYTES) ctx.addIssue({ code: 'custom', message: `must total at most 256 KiB (got ${String(bytes)} bytes)`, input: annotations });
});

export const ingressTLS = z.strictObject({
  secretName: objectName
    .optional()
    .describe(
      'Secret (type kubernetes.io/tls) with the certificate for every host; absent: <name>-ingress-tls, which cert-manager fills when the annotations ask it to.',
    ),
});

export const ingress = z.strictObject({
  className: objectName.optional().describe("ingressClassName of the Ingress; overrides the operator's --ingress-class."),
  annotations: ingressAnnotations
    .optional()
    .describe(
      'Annotations on the Ingress, e.g. cert-manager.io/cluster-issuer or an auth proxy (nginx.ingress.kubernetes.io/auth-url); promfleet.io/ keys are reserved.',
    ),
  tls: ingressTLS.optional().describe('Serve every host over TLS: the Ingress gets spec.tls listing all its hosts.'),
});

/** A LabelSelector over namespaces. An empty selector selects every namespace. */
export const namespaceSelector = z.strictObject({
  matchLabels: labelMap.optional().describe('Labels a namespace must have, each with exactly this value.'),
  matchExpressions: z.array(labelSelectorRequirement).optional().describe('Requirements a namespace must meet, all of them.'),
});

export const networkPolicy = z.strictObject({
  enabled: z
    .boolean()
    .default(false)
    .describe(
      "NetworkPolicies around the replica's pods: Prometheus only from its sidecar, Query, Grafana and the ingress controller; Store only from Query; Query only from Grafana and the ingress controller; Grafana only from the ingress controller, and out only to Query and DNS.",
    ),
  ingressControllerNamespaces: namespaceSelector
    .optional()
    .describe(
      'Namespaces of the ingress controller; absent: the namespace named ingress-nginx (by its kubernetes.io/metadata.name label, which API servers set from 1.21).',
    ),
});

export type Ingress = z.output<typeof ingress>;
export type NetworkPolicy = z.output<typeof networkPolicy>;
export type NamespaceSelector = z.output<typeof namespaceSelector>;
