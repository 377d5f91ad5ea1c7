/**
 * The loaded, defaulted configuration. Keys keep their YAML spelling so
 * code, docs and error messages grep alike; durations are milliseconds.
 */
export interface RelabelConfig {
  source_labels: string[];
  separator: string;
  regex: string;
  modulus: number;
  target_label: string;
  replacement: string;
  action: 'replace' | 'keep' | 'drop' | 'keepequal' | 'dropequal' | 'hashmod' | 'labelmap' | 'labeldrop' | 'labelkeep' | 'lowercase' | 'uppercase';
}

export interface StaticConfig {
  targets: string[];
  labels: Record<string, string>;
}

export interface FileSDConfig {
  files: string[];
  refresh_interval: number;
}

/** `http_sd_configs` entry: a URL answering file_sd-shaped JSON, polled every `refresh_interval` ms. */
export interface HttpSDConfig extends HTTPClientConfig {
  url: string;
  refresh_interval: number;
}

export interface HTTPClientConfig {
  basic_auth?: { username?: string; username_file?: string; password?: string; password_file?: string };
  authorization?: { type?: string; credentials?: string; credentials_file?: string };
  bearer_token?: string;
  bearer_token_file?: string;
  tls_config?: { ca_file?: string; cert_file?: string; key_file?: string; server_name?: string; insecure_skip_verify?: boolean };
  follow_redirects?: boolean;
}

export interface ScrapeConfig extends HTTPClientConfig {
  job_name: string;
  honor_labels: boolean;
  honor_timestamps: boolean;
  track_timestamps_staleness: boolean;
  scrape_interval: number;
  scrape_timeout: number;
  scrape_protocols: string[];
  metrics_path: string;
  scheme: 'http' | 'https';
  params: Record<string, string[]>;
  enable_compression: boolean;
  sample_limit: number;
  label_limit: number;
  label_name_length_limit: number;
  label_value_length_limit: number;
  target_limit: number;
  /** How many dropped targets `/api/v1/targets` keeps per job (0 = all). */
  keep_dropped_targets: number;
  body_size_limit: number;
  static_configs: StaticConfig[];
  file_sd_configs: FileSDConfig[];
  http_sd_configs: HttpSDConfig[];
  relabel_configs: RelabelConfig[];
  metric_relabel_configs: RelabelConfig[];
  /** Discovery mechanisms present in the file that Vigil does not run (they yield no targets). */
  unsupported_sd: string[];
}

export interface AlertmanagerConfig extends HTTPClientConfig {
  static_configs: StaticConfig[];
  file_sd_configs: FileSDConfig[];
  http_sd_configs: HttpSDConfig[];
  relabel_configs: RelabelConfig[];
  alert_relabel_configs: RelabelConfig[];
  scheme: 'http' | 'https';
  path_prefix: string;
  timeout: number;
  api_version: 'v1' | 'v2';
}

export interface RemoteWriteConfig extends HTTPClientConfig {
  url: string;
  name?: string;
  remote_timeout: number;
  headers: Record<string, string>;
  write_relabel_configs: RelabelConfig[];
}

export interface PrometheusConfig {
  global: {
    scrape_interval: number;
    scrape_timeout: number;
    evaluation_interval: number;
    rule_query_offset: number;
    external_labels: Record<string, string>;
    query_log_file?: string;
  };
  /** Rule file globs, resolved against the configuration file's directory. */
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
  alerting: { alert_relabel_configs: RelabelConfig[]; alertmanagers: AlertmanagerConfig[] };
  remote_write: RemoteWriteConfig[];
  remote_read: Array<{ url: string; name?: string }>;
  /** The file's text, for `/api/v1/status/config`. */
  original: string;
  /** Path the configuration came from ('' for a built-in one). */
  filename: string;
  /** Non-fatal findings (unsupported discovery mechanisms, …). */
  warnings: string[];
}
