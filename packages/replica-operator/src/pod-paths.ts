/**
 * Where things are inside the Prometheus pod: the builders mount volumes here and the rendered
 * config refers to them, so both read these constants.
 */
export const POD_PATHS = {
  /** The owned config ConfigMap: `prometheus.yml` and the config marker. */
  configDir: '/etc/prometheus/config',
  configFile: 'prometheus.yml',
  /** The owned rules ConfigMap, one file per selected ConfigMap key. */
  rulesDir: '/etc/prometheus/rules',
  dataDir: '/prometheus',
  objstoreDir: '/etc/thanos/objstore',
} as const;

/**
 * The Prometheus container's environment, which Prometheus expands `$NAME` in external labels
 * from (always since v3.0): the only variables a config may reference there.
 */
export const PROMETHEUS_ENVIRONMENT = ['POD_NAME'] as const;

/** The `replica` external label: each pod's own name, expanded by Prometheus at (re)load. */
export const REPLICA_LABEL_VALUE = '${POD_NAME}';
