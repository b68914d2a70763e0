import { z } from 'zod';

import { resolveWithStandIn } from '../rollout/placeholders.ts';
import { dnsName, objectName } from './formats.ts';
import { hostPort } from './data-plane.ts';
import { ingressAnnotations, ingressTLS } from './replica-security.ts';

/**
 * How a member's StoreAPI (the gRPC of its Thanos Query, which fans out to the local sidecars and
 * Store) is reached from outside the member, so a global Thanos Query can read every member.
 */

export const STORE_API_EXPOSE = ['LoadBalancer', 'Ingress'] as const;
export type StoreAPIExpose = (typeof STORE_API_EXPOSE)[number];

/** A DNS name that may hold member placeholders: checked as the host it renders to. */
export const hostTemplate = z.string().superRefine((value, ctx) => {
  const rendered = resolveWithStandIn(value);
  if (!rendered.ok) {
    ctx.addIssue({ code: 'custom', input: value, message: `${JSON.stringify(value)}: ${rendered.message}` });
    return;
  }
  const host = dnsName.safeParse(rendered.value);
  if (!host.success) {
    ctx.addIssue({
      code: 'custom',
      input: value,
      message: `${JSON.stringify(value)} is not a DNS name once its member placeholders are filled in (lowercase letters, digits, '-' and '.')`,
    });
  }
});

export const storeAPIMutualTLS = z.strictObject({
  serverSecret: objectName.describe(
    'Secret (type kubernetes.io/tls, keys tls.crt and tls.key) in the replica namespace: the certificate Thanos Query serves its gRPC with.',
  ),
  clientCASecret: objectName.describe(
    "Secret in the replica namespace with key ca.crt: Thanos Query accepts only clients whose certificate this CA signed (the global Query's).",
  ),
});

export const storeAPI = z
  .strictObject({
    expose: z
      .enum(STORE_API_EXPOSE, { error: (issue) => `${JSON.stringify(issue.input)} is not LoadBalancer or Ingress` })
      .describe('LoadBalancer: a Service of that type on the gRPC port (10901). Ingress: gRPC over TLS on port 443 of host.'),
    host: hostTemplate
      .optional()
      .describe(
        'Ingress host of the StoreAPI, one per member: may use {{ member.name }} and {{ member.labels.<key> }}, e.g. store-{{ member.name }}.example.com. Required with Ingress.',
      ),
    className: objectName.optional().describe("ingressClassName of the StoreAPI Ingress; overrides the operator's --ingress-class. Ingress only."),
    annotations: ingressAnnotations
      .optional()
      .describe(
        'Annotations on the LoadBalancer Service or the Ingress (they win over the ones the operator sets, e.g. nginx.ingress.kubernetes.io/backend-protocol); promfleet.io/ keys are reserved.',
      ),
    tls: ingressTLS
      .optional()
      .describe(
        'The certificate the ingress controller serves for host; absent: <name>-store-api-tls, which cert-manager fills when the annotations ask it to. Ingress only.',
      ),
    mutualTLS: storeAPIMutualTLS
      .optional()
      .describe(
        'Thanos Query serves its gRPC over TLS and requires a client certificate. With Ingress the controller passes TLS through (ssl-passthrough) so Thanos checks the client itself.',
      ),
  })
  .superRefine((value, ctx) => {
    const issue = (path: string, message: string, input: unknown) => {
      ctx.addIssue({ code: 'custom', path: [path], message, input });
    };
    if (value.expose === 'Ingress' && value.host === undefined) issue('host', 'is required with expose Ingress', undefined);
    if (value.expose === 'LoadBalancer') {
      for (const field of ['host', 'className', 'tls'] as const) {
        if (value[field] !== undefined) issue(field, 'is for expose Ingress only', value[field]);
      }
    }
  })
  .meta({
    'x-kubernetes-validations': [
      { rule: "self.expose != 'Ingress' || has(self.host)", message: 'host is required with expose Ingress' },
      {
        rule: "self.expose != 'LoadBalancer' || (!has(self.host) && !has(self.className) && !has(self.tls))",
        message: 'host, className and tls are for expose Ingress only',
      },
    ],
  });

/**
 * A StoreAPI address as a member reports it: host:port (a DNS name, an IPv4 address or [IPv6]),
 * short enough for any DNS name; checked wherever it is read, since members may be hostile.
 */
export const storeAddress = hostPort.max(261, { error: () => 'must be host:port of at most 261 characters' });

/** A member reports at most this many addresses (a LoadBalancer has one or two). */
export const MAX_STORE_ADDRESSES = 16;

export const storeAddresses = z.array(storeAddress).max(MAX_STORE_ADDRESSES, { error: () => `must list at most ${String(MAX_STORE_ADDRESSES)} addresses` });

/** One member's StoreAPI address, as the PrometheusCluster's status and the endpoints API list it. */
export const storeEndpoint = z.object({
  member: z.string().describe('MemberCluster name.'),
  address: storeAddress.describe('host:port of the member’s StoreAPI.'),
});

export type StoreAPI = z.output<typeof storeAPI>;
export type StoreEndpoint = z.output<typeof storeEndpoint>;
