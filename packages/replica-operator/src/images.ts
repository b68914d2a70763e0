import { DEFAULT_IMAGES, type Images } from '@promfleet/api';

/** The images a replica's components run: its overrides, else the pinned defaults (see DEFAULT_IMAGES). */
export interface ResolvedImages {
  readonly prometheus: string;
  readonly thanos: string;
  readonly grafana: string;
}

export function resolveImages(overrides: Images | undefined): ResolvedImages {
  return {
    prometheus: overrides?.prometheus ?? DEFAULT_IMAGES.prometheus,
    thanos: overrides?.thanos ?? DEFAULT_IMAGES.thanos,
    grafana: overrides?.grafana ?? DEFAULT_IMAGES.grafana,
  };
}
