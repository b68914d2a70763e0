import { z } from 'zod';

import { objectName, parsePrometheusDuration, prometheusDuration, quantity } from './formats.ts';
import { labelSelector } from './selector.ts';

/**
 * Replica fields about what Prometheus and Thanos do with the data: alerting and recording rules,
 * where alerts go, and how the bucket is compacted. Part of the replica template, so a
 * PrometheusCluster passes them to every member.
 */

// host:port, as Prometheus' static targets take them: a DNS name, an IPv4 address or [IPv6].
const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[-A-Za-z0-9.]*[A-Za-z0-9])?):(\d{1,5})$/;

export const hostPort = z.string().superRefine((value, ctx) => {
  const port = Number(HOST_PORT.exec(value)?.[1] ?? 0);
  if (port < 1 || port > 65_535) {
    ctx.addIssue({
      code: 'custom',
      input: value,
      message: `${JSON.stringify(value)} is not host:port (e.g. alertmanager.monitoring.svc:9093; no scheme, no path)`,
    });
  }
});

export const rules = z
  .strictObject({
    configMaps: z.array(objectName).optional().describe('Names of ConfigMaps in the replica namespace; every key of each is a Prometheus rule file.'),
    selector: labelSelector.optional().describe('Also every ConfigMap in the replica namespace with these labels.'),
  })
  .refine((value) => (value.configMaps?.length ?? 0) > 0 || value.selector !== undefined, { error: () => 'set configMaps, selector or both' });

export const alertmanager = z.strictObject({
  targets: z
    .array(hostPort)
    .min(1, { error: () => 'must list at least one host:port' })
    .describe('Alertmanager addresses, host:port.'),
  scheme: z
    .enum(['http', 'https'], { error: (issue) => `${JSON.stringify(issue.input)} is not http or https` })
    .default('http')
    .describe('http or https.'),
  pathPrefix: z
    .string()
    .regex(/^\/\S*$/, { error: (issue) => `${JSON.stringify(issue.input)} must start with /` })
    .optional()
    .describe('Path prefix of the Alertmanager API, e.g. /alertmanager.'),
  timeout: prometheusDuration.optional().describe('Timeout of each push (Prometheus default 10s).'),
});

const DOWNSAMPLE_5M_AFTER = 40 * 3_600_000;
const DOWNSAMPLE_1H_AFTER = 10 * 86_400_000;

export const compaction = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Run a Thanos Compactor for this replica: it compacts, downsamples and deletes (per retention) the blocks this replica uploaded.'),
    downsampling: z.boolean().default(true).describe('Downsample to 5m and 1h resolutions.'),
    retention: z
      .strictObject({
        raw: prometheusDuration.default('0d').describe('How long raw samples stay in the bucket; 0d keeps them forever.'),
        fiveMinutes: prometheusDuration.default('0d').describe('How long 5m-resolution samples stay; 0d keeps them forever.'),
        oneHour: prometheusDuration.default('0d').describe('How long 1h-resolution samples stay; 0d keeps them forever.'),
      })
      .prefault({})
      .describe('Retention in the bucket, per resolution.'),
    storage: z
      .strictObject({
        size: quantity.describe('Size of the Compactor working directory claim, e.g. 100Gi.'),
        storageClassName: objectName.optional(),
      })
      .optional()
      .describe('A PersistentVolumeClaim for the working directory; an emptyDir when absent (it downloads what it needs again after a restart).'),
  })
  .superRefine((value, ctx) => {
    if (!value.downsampling) return;
    // Thanos refuses to start when retention would delete a resolution before it is downsampled.
    const raw = parsePrometheusDuration(value.retention.raw) ?? 0;
    const five = parsePrometheusDuration(value.retention.fiveMinutes) ?? 0;
    if (raw !== 0 && raw < DOWNSAMPLE_5M_AFTER) {
      ctx.addIssue({
        code: 'custom',
        path: ['retention', 'raw'],
        input: value.retention.raw,
        message: 'must be 0d or at least 40h while downsampling is on (5m downsampling needs 40h of raw blocks)',
      });
    }
    if (five !== 0 && five < DOWNSAMPLE_1H_AFTER) {
      ctx.addIssue({
        code: 'custom',
        path: ['retention', 'fiveMinutes'],
        input: value.retention.fiveMinutes,
        message: 'must be 0d or at least 10d while downsampling is on (1h downsampling needs 10d of 5m blocks)',
      });
    }
  });

export const dataPlaneFields = {
  rules: rules.optional().describe('Prometheus rule files from ConfigMaps in the replica namespace, validated, mounted and reloaded on change.'),
  alertmanagers: z.array(alertmanager).optional().describe('Where Prometheus sends alerts; added to the alerting section of the config.'),
  compaction: compaction.prefault({}).describe('The Thanos Compactor of this replica (on by default).'),
};

export type Rules = z.output<typeof rules>;
export type Alertmanager = z.output<typeof alertmanager>;
export type Compaction = z.output<typeof compaction>;
