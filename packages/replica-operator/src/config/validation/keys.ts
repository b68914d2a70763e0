/**
 * The keys Prometheus v3.5 (the pinned image) accepts in the config blocks the operator checks,
 * read from its config, relabel and prometheus/common HTTP client types. Prometheus unmarshals
 * strictly: any other key, such as a misspelled `static_config`, stops a (re)load.
 */

export const TOP_LEVEL = [
  'global',
  'runtime',
  'alerting',
  'rule_files',
  'scrape_config_files',
  'scrape_configs',
  'storage',
  'tracing',
  'remote_write',
  'remote_read',
  'otlp',
];

export const GLOBAL = [
  'scrape_interval',
  'scrape_timeout',
  'scrape_protocols',
  'evaluation_interval',
  'rule_query_offset',
  'query_log_file',
  'scrape_failure_log_file',
  'external_labels',
  'body_size_limit',
  'sample_limit',
  'target_limit',
  'label_limit',
  'label_name_length_limit',
  'label_value_length_limit',
  'keep_dropped_targets',
  'metric_name_validation_scheme',
  'metric_name_escaping_scheme',
  'convert_classic_histograms_to_nhcb',
  'always_scrape_classic_histograms',
];

const PROXY = ['proxy_url', 'no_proxy', 'proxy_from_environment', 'proxy_connect_header'];

/** prometheus/common's HTTPClientConfig, inlined into scrape and Alertmanager configs. */
export const HTTP_CLIENT = [
  'basic_auth',
  'authorization',
  'oauth2',
  'bearer_token',
  'bearer_token_file',
  'tls_config',
  'follow_redirects',
  'enable_http2',
  'http_headers',
  ...PROXY,
];

export const NESTED_HTTP: Readonly<Record<string, readonly string[]>> = {
  basic_auth: ['username', 'username_file', 'username_ref', 'password', 'password_file', 'password_ref'],
  authorization: ['type', 'credentials', 'credentials_file', 'credentials_ref'],
  oauth2: ['client_id', 'client_secret', 'client_secret_file', 'client_secret_ref', 'scopes', 'token_url', 'endpoint_params', 'tls_config', ...PROXY],
  tls_config: [
    'ca',
    'cert',
    'key',
    'ca_file',
    'cert_file',
    'key_file',
    'ca_ref',
    'cert_ref',
    'key_ref',
    'server_name',
    'insecure_skip_verify',
    'min_version',
    'max_version',
  ],
};

/** Every service discovery Prometheus v3.5 registers, as `<name>_sd_configs`, and static targets. */
export const DISCOVERY = [
  ...[
    'azure',
    'consul',
    'digitalocean',
    'dns',
    'docker',
    'dockerswarm',
    'ec2',
    'eureka',
    'file',
    'gce',
    'hetzner',
    'http',
    'ionos',
    'kubernetes',
    'kuma',
    'lightsail',
    'linode',
    'marathon',
    'nerve',
    'nomad',
    'openstack',
    'ovhcloud',
    'puppetdb',
    'scaleway',
    'serverset',
    'stackit',
    'triton',
    'uyuni',
    'vultr',
  ].map((name) => `${name}_sd_configs`),
  'static_configs',
];

export const SCRAPE = [
  'job_name',
  'honor_labels',
  'honor_timestamps',
  'track_timestamps_staleness',
  'params',
  'scrape_interval',
  'scrape_timeout',
  'scrape_protocols',
  'fallback_scrape_protocol',
  'always_scrape_classic_histograms',
  'convert_classic_histograms_to_nhcb',
  'scrape_failure_log_file',
  'metrics_path',
  'scheme',
  'enable_compression',
  'body_size_limit',
  'sample_limit',
  'target_limit',
  'label_limit',
  'label_name_length_limit',
  'label_value_length_limit',
  'native_histogram_bucket_limit',
  'native_histogram_min_bucket_factor',
  'keep_dropped_targets',
  'metric_name_validation_scheme',
  'metric_name_escaping_scheme',
  'relabel_configs',
  'metric_relabel_configs',
  ...HTTP_CLIENT,
  ...DISCOVERY,
];

export const ALERTING = ['alert_relabel_configs', 'alertmanagers'];

export const ALERTMANAGER = [
  'sigv4',
  'scheme',
  'path_prefix',
  'timeout',
  'api_version',
  'relabel_configs',
  'alert_relabel_configs',
  ...HTTP_CLIENT,
  ...DISCOVERY,
];

export const STATIC_CONFIG = ['targets', 'labels'];

export const RELABEL = ['source_labels', 'separator', 'regex', 'modulus', 'target_label', 'replacement', 'action'];

export const RELABEL_ACTIONS = ['replace', 'keep', 'drop', 'keepequal', 'dropequal', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase'];
