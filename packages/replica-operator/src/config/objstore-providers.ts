/**
 * The `config` of each object-storage provider Thanos supports, as thanos-io/objstore (the
 * version Thanos v0.39 pins) reads it: every field's YAML key and type — objstore unmarshals
 * strictly, so any other key stops the sidecar, Store and Compactor — and the checks each
 * provider makes before it connects. FILESYSTEM is left out on purpose: a directory cannot be
 * shared by the sidecar, Store and Compactor pods.
 */

export type FieldType = 'string' | 'bool' | 'int' | 'duration' | 'stringMap' | FieldMap;

// An interface, as a type alias cannot refer to itself.
export interface FieldMap {
  readonly [key: string]: FieldType;
}

const TLS: FieldType = { ca_file: 'string', cert_file: 'string', key_file: 'string', server_name: 'string', insecure_skip_verify: 'bool' };

const HTTP: FieldType = {
  idle_conn_timeout: 'duration',
  response_header_timeout: 'duration',
  insecure_skip_verify: 'bool',
  tls_handshake_timeout: 'duration',
  expect_continue_timeout: 'duration',
  max_idle_conns: 'int',
  max_idle_conns_per_host: 'int',
  max_conns_per_host: 'int',
  tls_config: TLS,
  disable_compression: 'bool',
};

/** A provider's fields, and its own checks of a config whose fields all have the right type. */
export interface Provider {
  readonly fields: FieldMap;
  readonly check: (config: Readonly<Record<string, unknown>>) => string[];
}

const set = (config: Readonly<Record<string, unknown>>, key: string): boolean => config[key] !== undefined && config[key] !== '' && config[key] !== false;
const required = (config: Readonly<Record<string, unknown>>, ...keys: string[]): string[] =>
  keys.filter((key) => !set(config, key)).map((key) => `config.${key} is required`);
const together = (config: Readonly<Record<string, unknown>>, a: string, b: string): string[] =>
  set(config, a) !== set(config, b) ? [`config.${a} and config.${b} must be set together`] : [];
const exclusive = (config: Readonly<Record<string, unknown>>, a: string, b: string): string[] =>
  set(config, a) && set(config, b) ? [`config.${a} and config.${b} are mutually exclusive`] : [];
const oneOf = (config: Readonly<Record<string, unknown>>, key: string, values: readonly string[], path = key): string[] => {
  const value = config[key];
  // The value itself stays out of the message: it comes from a Secret.
  return value === undefined || (typeof value === 'string' && values.includes(value)) ? [] : [`config.${path} is not one of ${values.join(', ')}`];
};

export const PROVIDERS: Readonly<Record<string, Provider>> = {
  S3: {
    fields: {
      bucket: 'string',
      endpoint: 'string',
      region: 'string',
      disable_dualstack: 'bool',
      aws_sdk_auth: 'bool',
      access_key: 'string',
      insecure: 'bool',
      signature_version2: 'bool',
      secret_key: 'string',
      session_token: 'string',
      put_user_metadata: 'stringMap',
      http_config: HTTP,
      trace: { enable: 'bool' },
      list_objects_version: 'string',
      bucket_lookup_type: 'string',
      send_content_md5: 'bool',
      disable_multipart: 'bool',
      part_size: 'int',
      sse_config: { type: 'string', kms_key_id: 'string', kms_encryption_context: 'stringMap', encryption_key: 'string' },
      sts_endpoint: 'string',
      max_retries: 'int',
    },
    check: (config) => {
      const sse = (config.sse_config ?? {}) as Record<string, unknown>;
      return [
        ...required(config, 'bucket', 'endpoint'),
        ...exclusive(config, 'aws_sdk_auth', 'access_key'),
        ...together(config, 'access_key', 'secret_key'),
        ...oneOf(config, 'bucket_lookup_type', ['auto', 'virtual-hosted', 'path']),
        ...oneOf(config, 'list_objects_version', ['', 'v1', 'v2']),
        ...oneOf(sse, 'type', ['SSE-S3', 'SSE-KMS', 'SSE-C'], 'sse_config.type'),
        ...(sse.type === 'SSE-C' && !set(sse, 'encryption_key') ? ['config.sse_config.encryption_key is required with type SSE-C'] : []),
        ...(sse.type === 'SSE-KMS' && !set(sse, 'kms_key_id') ? ['config.sse_config.kms_key_id is required with type SSE-KMS'] : []),
      ];
    },
  },
  GCS: {
    fields: {
      bucket: 'string',
      service_account: 'string',
      use_grpc: 'bool',
      grpc_conn_pool_size: 'int',
      http_config: HTTP,
      chunk_size_bytes: 'int',
      max_retries: 'int',
    },
    check: (config) => required(config, 'bucket'),
  },
  AZURE: {
    fields: {
      storage_account: 'string',
      storage_account_key: 'string',
      storage_connection_string: 'string',
      storage_create_container: 'bool',
      container: 'string',
      endpoint: 'string',
      user_assigned_id: 'string',
      max_retries: 'int',
      reader_config: { max_retry_requests: 'int' },
      pipeline_config: { max_tries: 'int', try_timeout: 'duration', retry_delay: 'duration', max_retry_delay: 'duration' },
      http_config: HTTP,
      msi_resource: 'string',
    },
    check: (config) => [
      ...required(config, 'storage_account', 'container'),
      ...exclusive(config, 'user_assigned_id', 'storage_account_key'),
      ...exclusive(config, 'user_assigned_id', 'storage_connection_string'),
      ...exclusive(config, 'storage_account_key', 'storage_connection_string'),
    ],
  },
  SWIFT: {
    fields: {
      auth_version: 'int',
      auth_url: 'string',
      username: 'string',
      user_domain_name: 'string',
      user_domain_id: 'string',
      user_id: 'string',
      password: 'string',
      domain_id: 'string',
      domain_name: 'string',
      application_credential_id: 'string',
      application_credential_name: 'string',
      application_credential_secret: 'string',
      project_id: 'string',
      project_name: 'string',
      project_domain_id: 'string',
      project_domain_name: 'string',
      region_name: 'string',
      container_name: 'string',
      large_object_chunk_size: 'int',
      large_object_segments_container_name: 'string',
      retries: 'int',
      connect_timeout: 'duration',
      timeout: 'duration',
      use_dynamic_large_objects: 'bool',
      http_config: HTTP,
    },
    // It authenticates at start: without an auth URL and a container there is nothing to connect to.
    check: (config) => required(config, 'auth_url', 'container_name'),
  },
  COS: {
    fields: {
      bucket: 'string',
      region: 'string',
      app_id: 'string',
      endpoint: 'string',
      secret_key: 'string',
      secret_id: 'string',
      max_retries: 'int',
      http_config: HTTP,
    },
    check: (config) =>
      set(config, 'endpoint') ? required(config, 'secret_id', 'secret_key') : required(config, 'bucket', 'app_id', 'region', 'secret_id', 'secret_key'),
  },
  ALIYUNOSS: {
    fields: { endpoint: 'string', bucket: 'string', access_key_id: 'string', access_key_secret: 'string' },
    check: (config) => required(config, 'endpoint', 'bucket', 'access_key_id', 'access_key_secret'),
  },
  BOS: {
    fields: { bucket: 'string', endpoint: 'string', access_key: 'string', secret_key: 'string' },
    check: (config) => required(config, 'bucket', 'endpoint', 'access_key', 'secret_key'),
  },
  OCI: {
    fields: {
      provider: 'string',
      bucket: 'string',
      compartment_ocid: 'string',
      tenancy_ocid: 'string',
      user_ocid: 'string',
      region: 'string',
      fingerprint: 'string',
      privatekey: 'string',
      passphrase: 'string',
      part_size: 'int',
      max_request_retries: 'int',
      request_retry_interval: 'int',
      http_config: { ...(HTTP as Record<string, FieldType>), client_timeout: 'duration' },
    },
    check: (config) => {
      const provider = typeof config.provider === 'string' ? config.provider.toLowerCase() : '';
      const providers = ['default', 'instance-principal', 'raw', 'oke-workload-identity'];
      if (!providers.includes(provider)) return [`config.provider is not one of ${providers.join(', ')}`];
      return provider === 'raw' ? required(config, 'tenancy_ocid', 'user_ocid', 'region', 'fingerprint', 'privatekey') : [];
    },
  },
  OBS: {
    fields: { bucket: 'string', endpoint: 'string', access_key: 'string', secret_key: 'string', max_retries: 'int', http_config: HTTP },
    check: (config) => required(config, 'bucket', 'endpoint', 'access_key', 'secret_key'),
  },
};
