import type { Images } from '@promfleet/api';

/**
 * Images the operator runs unless a replica overrides them. Pinned to versions tested together:
 * Prometheus 3.5 is the LTS line; Thanos 0.39 supports `--endpoint` discovery (Query no longer
 * has `--store`) and the reloader's envsubst output the external labels depend on.
 */
export interface ResolvedImages {
  readonly prometheus: string;
  readonly thanos: string;
  readonly grafana: string;
}

export const DEFAULT_IMAGES: ResolvedImages = {
  prometheus: 'quay.io/prometheus/prometheus:v3.5.0',
  thanos: 'quay.io/thanos/thanos:v0.39.2',
  grafana: 'docker.io/grafana/grafana:12.1.1',
};

export function resolveImages(overrides: Images | undefined): ResolvedImages {
  return {
    prometheus: overrides?.prometheus ?? DEFAULT_IMAGES.prometheus,
    thanos: overrides?.thanos ?? DEFAULT_IMAGES.thanos,
    grafana: overrides?.grafana ?? DEFAULT_IMAGES.grafana,
  };
}
