// The parts of prometheus-operator's ServiceMonitor and PrometheusRule (monitoring.coreos.com/v1)
// the charts use, as JSON schemas: enough to catch a misplaced or misspelt field, which the
// operator would reject or silently ignore.

const DURATION = { type: 'string', pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' } as const;
const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const;
const METADATA = {
  type: 'object',
  required: ['name', 'namespace'],
  properties: { name: { type: 'string', minLength: 1 }, namespace: { type: 'string', minLength: 1 }, labels: STRING_MAP, annotations: STRING_MAP },
} as const;
const RELABELING = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sourceLabels: { type: 'array', items: { type: 'string' } },
    separator: { type: 'string' },
    targetLabel: { type: 'string' },
    regex: { type: 'string' },
    modulus: { type: 'integer' },
    replacement: { type: 'string' },
    action: {
      enum: [
        'replace',
        'Replace',
        'keep',
        'Keep',
        'drop',
        'Drop',
        'hashmod',
        'HashMod',
        'labelmap',
        'LabelMap',
        'labeldrop',
        'LabelDrop',
        'labelkeep',
        'LabelKeep',
        'lowercase',
        'Lowercase',
        'uppercase',
        'Uppercase',
        'keepequal',
        'KeepEqual',
        'dropequal',
        'DropEqual',
      ],
    },
  },
} as const;

export const SERVICE_MONITOR_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1' },
    kind: { const: 'ServiceMonitor' },
    metadata: METADATA,
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['selector', 'endpoints'],
      properties: {
        jobLabel: { type: 'string' },
        selector: { type: 'object', properties: { matchLabels: STRING_MAP, matchExpressions: { type: 'array' } }, additionalProperties: false },
        namespaceSelector: {
          type: 'object',
          additionalProperties: false,
          properties: { any: { type: 'boolean' }, matchNames: { type: 'array', items: { type: 'string' } } },
        },
        endpoints: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              port: { type: 'string' },
              path: { type: 'string' },
              scheme: { enum: ['http', 'https'] },
              tlsConfig: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  ca: {
                    type: 'object',
                    properties: { secret: { type: 'object', required: ['name', 'key'], properties: { name: { type: 'string' }, key: { type: 'string' } } } },
                  },
                  serverName: { type: 'string' },
                  insecureSkipVerify: { type: 'boolean' },
                },
              },
              interval: DURATION,
              scrapeTimeout: DURATION,
              honorLabels: { type: 'boolean' },
              relabelings: { type: 'array', items: RELABELING },
              metricRelabelings: { type: 'array', items: RELABELING },
            },
          },
        },
      },
    },
  },
} as const;

export const PROMETHEUS_RULE_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1' },
    kind: { const: 'PrometheusRule' },
    metadata: METADATA,
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['groups'],
      properties: {
        groups: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'rules'],
            properties: {
              name: { type: 'string', minLength: 1 },
              interval: DURATION,
              rules: {
                type: 'array',
                minItems: 1,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['alert', 'expr', 'labels', 'annotations'],
                  properties: {
                    alert: { type: 'string', pattern: '^[A-Z][A-Za-z0-9]*$' },
                    expr: { type: 'string', minLength: 1 },
                    for: DURATION,
                    labels: { ...STRING_MAP, required: ['severity'], properties: { severity: { enum: ['critical', 'warning', 'info'] } } },
                    annotations: { ...STRING_MAP, required: ['summary', 'description'] },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
