import { Type, type TSchema } from '@sinclair/typebox';

/**
 * The JSON Schema of `prometheus.yml` as written by users (before defaults).
 * Every object is closed (`additionalProperties: false`), matching
 * Prometheus's strict YAML decoding: an unknown or misspelt key is an error.
 */
const Duration = Type.String({ pattern: '^(0|([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?)$', description: 'duration' });
const ScrapeProtocols = Type.Array(
  Type.Union(['PrometheusProto', 'OpenMetricsText0.0.1', 'OpenMetricsText1.0.0', 'PrometheusText0.0.4', 'PrometheusText1.0.0'].map((p) => Type.Literal(p))),
);
const LabelMap = Type.Record(Type.String(), Type.String());
const strict = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });

const TLSConfig = strict({
  ca: Type.Optional(Type.String()),
  ca_file: Type.Optional(Type.String()),
  cert: Type.Optional(Type.String()),
  cert_file: Type.Optional(Type.String()),
  key: Type.Optional(Type.String()),
  key_file: Type.Optional(Type.String()),
  server_name: Type.Optional(Type.String()),
  insecure_skip_verify: Type.Optional(Type.Boolean()),
  min_version: Type.Optional(Type.String()),
  max_version: Type.Optional(Type.String()),
});

const BasicAuth = strict({
  username: Type.Optional(Type.String()),
  username_file: Type.Optional(Type.String()),
  password: Type.Optional(Type.String()),
  password_file: Type.Optional(Type.String()),
});

const Authorization = strict({
  type: Type.Optional(Type.String()),
  credentials: Type.Optional(Type.String()),
  credentials_file: Type.Optional(Type.String()),
});

/** HTTP client settings shared by scrape, alerting and remote configs. */
const httpClient = {
  basic_auth: Type.Optional(BasicAuth),
  authorization: Type.Optional(Authorization),
  bearer_token: Type.Optional(Type.String()),
  bearer_token_file: Type.Optional(Type.String()),
  oauth2: Type.Optional(Type.Object({}, { additionalProperties: true })),
  tls_config: Type.Optional(TLSConfig),
  proxy_url: Type.Optional(Type.String()),
  no_proxy: Type.Optional(Type.String()),
  proxy_from_environment: Type.Optional(Type.Boolean()),
  proxy_connect_header: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
  follow_redirects: Type.Optional(Type.Boolean()),
  enable_http2: Type.Optional(Type.Boolean()),
  http_headers: Type.Optional(Type.Record(Type.String(), Type.Any())),
};

export const RelabelConfigSchema = strict({
  source_labels: Type.Optional(Type.Array(Type.String())),
  separator: Type.Optional(Type.String()),
  regex: Type.Optional(Type.String()),
  modulus: Type.Optional(Type.Integer({ minimum: 0 })),
  target_label: Type.Optional(Type.String()),
  replacement: Type.Optional(Type.String()),
  action: Type.Optional(
    Type.Union(
      ['replace', 'keep', 'drop', 'keepequal', 'dropequal', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase'].map((a) =>
        Type.Literal(a),
      ),
      { description: 'relabel action' },
    ),
  ),
});

const StaticConfig = strict({
  targets: Type.Optional(Type.Array(Type.String())),
  labels: Type.Optional(LabelMap),
});

const FileSDConfig = strict({
  files: Type.Array(Type.String()),
  refresh_interval: Type.Optional(Duration),
});

/**
 * Service discovery mechanisms Prometheus has and Vigil does not run yet:
 * accepted so an existing prometheus.yml loads, reported as a warning, and
 * they yield no targets.
 */
export const UNSUPPORTED_SD = [
  'azure_sd_configs',
  'consul_sd_configs',
  'digitalocean_sd_configs',
  'docker_sd_configs',
  'dockerswarm_sd_configs',
  'dns_sd_configs',
  'ec2_sd_configs',
  'eureka_sd_configs',
  'gce_sd_configs',
  'hetzner_sd_configs',
  'ionos_sd_configs',
  'kubernetes_sd_configs',
  'kuma_sd_configs',
  'lightsail_sd_configs',
  'linode_sd_configs',
  'marathon_sd_configs',
  'nerve_sd_configs',
  'nomad_sd_configs',
  'openstack_sd_configs',
  'ovhcloud_sd_configs',
  'puppetdb_sd_configs',
  'scaleway_sd_configs',
  'serverset_sd_configs',
  'triton_sd_configs',
  'uyuni_sd_configs',
  'vultr_sd_configs',
] as const;
const unsupportedSD = Object.fromEntries(UNSUPPORTED_SD.map((k) => [k, Type.Optional(Type.Array(Type.Any()))]));

const HttpSDConfig = strict({
  url: Type.String(),
  refresh_interval: Type.Optional(Duration),
  ...httpClient,
});

const ScrapeConfig = strict({
  job_name: Type.String(),
  honor_labels: Type.Optional(Type.Boolean()),
  honor_timestamps: Type.Optional(Type.Boolean()),
  track_timestamps_staleness: Type.Optional(Type.Boolean()),
  scrape_interval: Type.Optional(Duration),
  scrape_timeout: Type.Optional(Duration),
  scrape_protocols: Type.Optional(ScrapeProtocols),
  scrape_fallback_protocol: Type.Optional(Type.String()),
  scrape_classic_histograms: Type.Optional(Type.Boolean()),
  always_scrape_classic_histograms: Type.Optional(Type.Boolean()),
  convert_classic_histograms_to_nhcb: Type.Optional(Type.Boolean()),
  scrape_native_histograms: Type.Optional(Type.Boolean()),
  metrics_path: Type.Optional(Type.String()),
  scheme: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https')], { description: 'scheme' })),
  params: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
  enable_compression: Type.Optional(Type.Boolean()),
  body_size_limit: Type.Optional(Type.String()),
  sample_limit: Type.Optional(Type.Integer({ minimum: 0 })),
  label_limit: Type.Optional(Type.Integer({ minimum: 0 })),
  label_name_length_limit: Type.Optional(Type.Integer({ minimum: 0 })),
  label_value_length_limit: Type.Optional(Type.Integer({ minimum: 0 })),
  target_limit: Type.Optional(Type.Integer({ minimum: 0 })),
  keep_dropped_targets: Type.Optional(Type.Integer({ minimum: 0 })),
  native_histogram_bucket_limit: Type.Optional(Type.Integer({ minimum: 0 })),
  native_histogram_min_bucket_factor: Type.Optional(Type.Number()),
  metric_name_validation_scheme: Type.Optional(Type.String()),
  metric_name_escaping_scheme: Type.Optional(Type.String()),
  static_configs: Type.Optional(Type.Array(StaticConfig)),
  file_sd_configs: Type.Optional(Type.Array(FileSDConfig)),
  http_sd_configs: Type.Optional(Type.Array(HttpSDConfig)),
  relabel_configs: Type.Optional(Type.Array(RelabelConfigSchema)),
  metric_relabel_configs: Type.Optional(Type.Array(RelabelConfigSchema)),
  ...httpClient,
  ...unsupportedSD,
});

const AlertmanagerConfig = strict({
  static_configs: Type.Optional(Type.Array(StaticConfig)),
  file_sd_configs: Type.Optional(Type.Array(FileSDConfig)),
  http_sd_configs: Type.Optional(Type.Array(HttpSDConfig)),
  relabel_configs: Type.Optional(Type.Array(RelabelConfigSchema)),
  alert_relabel_configs: Type.Optional(Type.Array(RelabelConfigSchema)),
  scheme: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https')], { description: 'scheme' })),
  path_prefix: Type.Optional(Type.String()),
  timeout: Type.Optional(Duration),
  api_version: Type.Optional(Type.Union([Type.Literal('v1'), Type.Literal('v2')], { description: 'api_version' })),
  ...httpClient,
  ...unsupportedSD,
});

const RemoteWriteConfig = strict({
  url: Type.String(),
  name: Type.Optional(Type.String()),
  remote_timeout: Type.Optional(Duration),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  write_relabel_configs: Type.Optional(Type.Array(RelabelConfigSchema)),
  send_exemplars: Type.Optional(Type.Boolean()),
  send_native_histograms: Type.Optional(Type.Boolean()),
  protobuf_message: Type.Optional(Type.String()),
  round_robin_dns: Type.Optional(Type.Boolean()),
  queue_config: Type.Optional(Type.Record(Type.String(), Type.Any())),
  metadata_config: Type.Optional(Type.Record(Type.String(), Type.Any())),
  sigv4: Type.Optional(Type.Record(Type.String(), Type.Any())),
  azuread: Type.Optional(Type.Record(Type.String(), Type.Any())),
  google_iam: Type.Optional(Type.Record(Type.String(), Type.Any())),
  ...httpClient,
});

const RemoteReadConfig = strict({
  url: Type.String(),
  name: Type.Optional(Type.String()),
  remote_timeout: Type.Optional(Duration),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  required_matchers: Type.Optional(LabelMap),
  read_recent: Type.Optional(Type.Boolean()),
  filter_external_labels: Type.Optional(Type.Boolean()),
  ...httpClient,
});

/** A file listed in `scrape_config_files`: only `scrape_configs`. */
export const ScrapeConfigFileSchema = strict({
  scrape_configs: Type.Optional(Type.Array(ScrapeConfig)),
});

export const ConfigSchema = strict({
  global: Type.Optional(
    strict({
      scrape_interval: Type.Optional(Duration),
      scrape_timeout: Type.Optional(Duration),
      scrape_protocols: Type.Optional(ScrapeProtocols),
      evaluation_interval: Type.Optional(Duration),
      rule_query_offset: Type.Optional(Duration),
      external_labels: Type.Optional(LabelMap),
      query_log_file: Type.Optional(Type.String()),
      scrape_failure_log_file: Type.Optional(Type.String()),
      body_size_limit: Type.Optional(Type.String()),
      sample_limit: Type.Optional(Type.Integer({ minimum: 0 })),
      label_limit: Type.Optional(Type.Integer({ minimum: 0 })),
      label_name_length_limit: Type.Optional(Type.Integer({ minimum: 0 })),
      label_value_length_limit: Type.Optional(Type.Integer({ minimum: 0 })),
      target_limit: Type.Optional(Type.Integer({ minimum: 0 })),
      keep_dropped_targets: Type.Optional(Type.Integer({ minimum: 0 })),
      metric_name_validation_scheme: Type.Optional(Type.String()),
      metric_name_escaping_scheme: Type.Optional(Type.String()),
      always_scrape_classic_histograms: Type.Optional(Type.Boolean()),
      convert_classic_histograms_to_nhcb: Type.Optional(Type.Boolean()),
    }),
  ),
  runtime: Type.Optional(strict({ gogc: Type.Optional(Type.Integer()) })),
  rule_files: Type.Optional(Type.Array(Type.String())),
  scrape_config_files: Type.Optional(Type.Array(Type.String())),
  scrape_configs: Type.Optional(Type.Array(ScrapeConfig)),
  alerting: Type.Optional(
    strict({
      alert_relabel_configs: Type.Optional(Type.Array(RelabelConfigSchema)),
      alertmanagers: Type.Optional(Type.Array(AlertmanagerConfig)),
    }),
  ),
  remote_write: Type.Optional(Type.Array(RemoteWriteConfig)),
  remote_read: Type.Optional(Type.Array(RemoteReadConfig)),
  storage: Type.Optional(Type.Record(Type.String(), Type.Any())),
  tracing: Type.Optional(Type.Record(Type.String(), Type.Any())),
  otlp: Type.Optional(Type.Record(Type.String(), Type.Any())),
});
