import { z } from 'zod';

/**
 * String formats shared by the schemas. Each carries the message that names what was expected,
 * because a CRD or CLI user sees exactly this text after the field path.
 */

// prometheus/common model.ParseDuration: units in descending order, each at most once; or "0".
const PROMETHEUS_DURATION = /^(?:0|(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?)$/;
const DURATION_UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1] as const;

/** Milliseconds of a Prometheus duration such as `15d` or `1h30m`, or undefined when it is not one. */
export function parsePrometheusDuration(text: string): number | undefined {
  if (text === '') return undefined;
  const match = PROMETHEUS_DURATION.exec(text);
  if (!match) return undefined;
  let total = 0;
  DURATION_UNIT_MS.forEach((unit, i) => {
    const amount = match[i + 1];
    if (amount !== undefined) total += Number(amount) * unit;
  });
  return total;
}

export const prometheusDuration = z
  .string()
  .min(1, { error: () => 'must not be empty (a Prometheus duration, e.g. 24h, 15d)' })
  .regex(PROMETHEUS_DURATION, {
    error: (issue) => `${JSON.stringify(issue.input)} is not a Prometheus duration (e.g. 24h, 15d)`,
  });

// RFC 1123 subdomain, lowercase: what Kubernetes accepts as an Ingress host.
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
// RFC 1035 label: Service names must start with a letter.
const DNS_1035_LABEL = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;

// A release version as a member reports it: `0.1.0`, `0.2.0-rc.1`, `0.1.0+abc`. Short, and
// nothing a table or a log line could be fooled by.
const SOFTWARE_VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]*$/;

export const softwareVersion = z
  .string()
  .max(64, { error: (issue) => `must be at most 64 characters (got ${String(issueLength(issue.input))})` })
  .regex(SOFTWARE_VERSION, { error: () => 'must be a version: letters, digits, ., +, _ and -, e.g. 0.1.0' });

export const dnsName = z
  .string()
  .max(253, { error: (issue) => `must be at most 253 characters (got ${String(issueLength(issue.input))})` })
  .regex(DNS_SUBDOMAIN, {
    error: (issue) => `${JSON.stringify(issue.input)} is not a DNS name (lowercase letters, digits, '-' and '.', e.g. monitoring.example.com)`,
  })
  .refine((value) => value.split('.').every((label) => label.length <= 63), {
    error: (issue) => `${JSON.stringify(issue.input)} has a DNS label longer than 63 characters`,
  });

// What may be published as a DNS target: an IPv4 or IPv6 literal, or an RFC 1123 host name
// (letters, digits and hyphens in labels of at most 63 characters, the last one starting with a
// letter, an optional final dot). Nothing else — no spaces, no control characters, no zone-file
// syntax — so a target can never add a record, a comment or a directive to a zone file.
const IPV4_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = `${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}`;
const H16 = '[0-9A-Fa-f]{1,4}';
const IPV6 = [
  `(?:${H16}:){7}${H16}`,
  `(?:${H16}:){1,7}:`,
  `(?:${H16}:){1,6}:${H16}`,
  `(?:${H16}:){1,5}(?::${H16}){1,2}`,
  `(?:${H16}:){1,4}(?::${H16}){1,3}`,
  `(?:${H16}:){1,3}(?::${H16}){1,4}`,
  `(?:${H16}:){1,2}(?::${H16}){1,5}`,
  `${H16}:(?::${H16}){1,6}`,
  `:(?:(?::${H16}){1,7}|:)`,
  `(?:${H16}:){6}${IPV4}`,
  `(?:${H16}:){1,5}:${IPV4}`,
  `::(?:${H16}:){0,5}${IPV4}`,
].join('|');
const HOST_LABEL = '[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?';
const TOP_LABEL = '[A-Za-z](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?';
const HOSTNAME = `(?:${HOST_LABEL}\\.)*${TOP_LABEL}\\.?`;

/** The pattern of a DNS target, as the CRDs carry it (RE2 and ECMAScript alike). */
export const DNS_TARGET_PATTERN = `^(?:${IPV4}|${IPV6}|${HOSTNAME})$`;

/** The one description of what a target may be, for messages that must not repeat a value. */
export const DNS_TARGET_RULE = 'an IPv4 or IPv6 address or an RFC 1123 host name of at most 253 characters';

/**
 * A target of a DNS record (an address a member reports): checked where members report it, where
 * the hub publishes it, where Redis hands it back and where the CLI prints it. The message never
 * repeats the value: it comes from a member, which may be hostile.
 */
export const dnsTarget = z
  .string()
  .max(253, { error: () => `must be ${DNS_TARGET_RULE}` })
  .regex(new RegExp(DNS_TARGET_PATTERN), { error: () => `must be ${DNS_TARGET_RULE}` });

/** Name of an object in a namespace (ConfigMap, Secret): an RFC 1123 subdomain. */
export const objectName = z
  .string()
  .min(1, { error: () => 'must not be empty' })
  .max(253, { error: () => 'must be at most 253 characters' })
  .regex(DNS_SUBDOMAIN, {
    error: (issue) => `${JSON.stringify(issue.input)} is not a valid object name (lowercase letters, digits, '-' and '.')`,
  });

export function dnsLabelName(maxLength: number, startsWithLetter = false): z.ZodString {
  const pattern = startsWithLetter ? DNS_1035_LABEL : DNS_LABEL;
  const what = startsWithLetter ? 'start with a letter and contain only lowercase letters, digits and -' : 'contain only lowercase letters, digits and -';
  return z
    .string()
    .min(1, { error: () => 'must not be empty' })
    .max(maxLength, { error: (issue) => `must be at most ${String(maxLength)} characters (got ${String(issueLength(issue.input))})` })
    .regex(pattern, { error: (issue) => `${JSON.stringify(issue.input)} must ${what}` });
}

/** A data key of a ConfigMap or Secret. */
export const dataKey = z
  .string()
  .min(1, { error: () => 'must not be empty' })
  .max(253)
  .regex(/^[-._a-zA-Z0-9]+$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a valid ConfigMap or Secret key` });

// Kubernetes label keys: optional DNS-subdomain prefix and a name of at most 63 characters.
const LABEL_NAME = /^(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Label and annotation keys share the qualified-name syntax; `what` names which one in the message. */
export function labelKeyProblem(key: string, what = 'label key'): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `${what} ${JSON.stringify(key)} has an invalid prefix (a lowercase DNS subdomain)`;
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return `${what} ${JSON.stringify(key)} is invalid (a name of at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric, with an optional DNS prefix)`;
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !LABEL_NAME.test(value)) {
    return `label value ${JSON.stringify(value)} is invalid (at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric)`;
  }
  return undefined;
}

export const labelKey = z.string().superRefine((key, ctx) => {
  const problem = labelKeyProblem(key);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: key });
});

export const labelValue = z.string().superRefine((value, ctx) => {
  const problem = labelValueProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
});

/** A `map[string]string` of Kubernetes labels, each key and value checked. */
export const labelMap = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const [key, value] of Object.entries(labels)) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [key], input: value });
  }
});

// Kubernetes resource.Quantity, the pattern the Kubernetes OpenAPI documents for it.
const QUANTITY = /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

export const quantity = z
  .union([z.string(), z.number().int().nonnegative()], {
    error: (issue) =>
      issue.input === undefined
        ? undefined
        : `must be a Kubernetes quantity, a string such as 500m or 2Gi or a whole number (got ${JSON.stringify(issue.input)})`,
  })
  .superRefine((value, ctx) => {
    if (typeof value === 'string' && !QUANTITY.test(value)) {
      ctx.addIssue({ code: 'custom', input: value, message: `${JSON.stringify(value)} is not a Kubernetes quantity (e.g. 500m, 2Gi)` });
    }
  })
  .meta({ 'x-kubernetes-int-or-string': true, pattern: QUANTITY.source });

export const timestamp = z.string().meta({ format: 'date-time' });

function issueLength(input: unknown): number {
  return typeof input === 'string' ? input.length : 0;
}
