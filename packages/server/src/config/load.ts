import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, ConfigErrors, compileAnchored, isLegacyLabelName, parseBytes, parseDuration } from '@vigil/core';
import { ConfigSchema, ScrapeConfigFileSchema, UNSUPPORTED_SD } from './schema.ts';
import { displayPath, locate, type KeyPath } from './positions.ts';
import type { AlertmanagerConfig, HttpSDConfig, PrometheusConfig, RelabelConfig, ScrapeConfig, StaticConfig } from './types.ts';

const DEFAULT_SCRAPE_INTERVAL = 60_000;
const DEFAULT_SCRAPE_TIMEOUT = 10_000;
const DEFAULT_EVALUATION_INTERVAL = 60_000;

// One compiled validator per process would be module state; compile per call
// instead and keep it cheap by caching inside a closure the caller owns.
function compileValidator(schema: object) {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  return ajv.compile(schema);
}

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Parses and validates a Prometheus configuration. Every problem is
 * collected and thrown together as {@link ConfigErrors}, each as
 * `file:line:col: key.path: message`. Relative file paths (rule files,
 * file_sd files, credential files) are resolved against `filename`'s directory.
 */
export function parseConfig(text: string, filename: string): PrometheusConfig {
  const errors: ConfigError[] = [];
  const main = readDocument(text, filename, errors, ConfigSchema);
  if (!main) throw new ConfigErrors(sortErrors(errors));
  let cfg: PrometheusConfig | undefined;
  try {
    // Semantic checks run even after schema errors so one pass reports every problem.
    cfg = applyDefaults(main.raw, text, filename, main.at, errors);
  } catch (err) {
    // Only reachable with a value of the wrong type, which the schema already reported.
    if (main.valid) throw err;
  }
  if (errors.length || !cfg) throw new ConfigErrors(sortErrors(uniqueErrors(errors)));
  return cfg;
}

interface ReadDocument {
  raw: Raw;
  at: At;
  /** True when the schema accepted the document. */
  valid: boolean;
}

/**
 * Parses one YAML file and validates it against `schema`, pushing every
 * problem onto `errors`. Returns undefined when the YAML itself is broken
 * (nothing more can be checked), else the plain data and a locator for
 * semantic errors in that file.
 */
function readDocument(text: string, filename: string, errors: ConfigError[], schema: object): ReadDocument | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at: At = (path, msg, key) => {
    const { line, col } = locate(doc, lc, path, key);
    errors.push(new ConfigError(filename, line, col, displayPath(key !== undefined ? [...path, key] : path), msg));
  };
  const before = errors.length;
  for (const e of doc.errors) {
    const pos = lc.linePos(e.pos[0]);
    let msg = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    if (e.code === 'DUPLICATE_KEY') {
      // Name the key, as Go's yaml.v2 does ("mapping key … already defined").
      const key = /^[^:\n]*/.exec(text.slice(e.pos[0]))![0].trim();
      msg = `mapping key ${JSON.stringify(key)} already defined`;
    }
    errors.push(new ConfigError(filename, pos.line, pos.col, '', msg));
  }
  if (errors.length > before) return undefined;
  const raw = (doc.toJS() ?? {}) as Raw;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    at([], 'the configuration must be a YAML mapping');
    return undefined;
  }
  const validate = compileValidator(schema);
  const valid = validate(raw);
  if (!valid) {
    for (const e of dedupe(validate.errors ?? [])) {
      const path = pointerToPath(e.instancePath);
      if (e.keyword === 'additionalProperties') at(path, 'unknown key', String((e.params as { additionalProperty: string }).additionalProperty));
      else at(path, schemaMessage(e));
    }
  }
  return { raw, at, valid };
}

/** Reads and parses a configuration file. @throws ConfigErrors, or the fs error naming the file */
export async function loadConfigFile(path: string): Promise<PrometheusConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`read config file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  return parseConfig(text, path);
}

// A schema error and a semantic check can hit the same spot; report it once.
function uniqueErrors(errs: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const key = `${e.line}:${e.col}:${e.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The configuration Prometheus runs when the file is empty: every default, no scrape configs. */
export function defaultConfig(): PrometheusConfig {
  return parseConfig('', '');
}

// Within a file by position; files in the order they were read (the main file first).
function sortErrors(errs: ConfigError[]): ConfigError[] {
  const fileOrder = new Map<string, number>();
  for (const e of errs) if (!fileOrder.has(e.file)) fileOrder.set(e.file, fileOrder.size);
  return errs.sort((a, b) => fileOrder.get(a.file)! - fileOrder.get(b.file)! || a.line - b.line || a.col - b.col);
}

// Union failures make Ajv report one error per branch; keep the first per path.
function dedupe(errs: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  const out: ErrorObject[] = [];
  for (const e of errs) {
    if (e.keyword === 'anyOf') continue;
    const key = e.keyword === 'additionalProperties' ? `${e.instancePath}#${(e.params as { additionalProperty: string }).additionalProperty}` : e.instancePath;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

function pointerToPath(ptr: string): KeyPath {
  if (!ptr) return [];
  return ptr
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function schemaMessage(e: ErrorObject): string {
  const sch = e.parentSchema as { description?: string; anyOf?: Array<{ const?: unknown }> } | undefined;
  if (e.keyword === 'pattern' && sch?.description === 'duration') return `not a valid duration string: ${JSON.stringify(e.data)}`;
  if ((e.keyword === 'const' || e.keyword === 'anyOf') && /scrape_protocols\/\d+$/.test(e.instancePath)) return `unknown scrape protocol ${JSON.stringify(e.data)}`;
  if ((e.keyword === 'const' || e.keyword === 'anyOf') && /relabel_configs\/\d+\/action$/.test(e.instancePath)) return `unknown relabel action ${JSON.stringify(e.data)}`;
  if (e.keyword === 'const' || e.keyword === 'anyOf') return `unexpected value ${JSON.stringify(e.data)}`;
  if (e.keyword === 'type') return `must be ${(e.params as { type: string }).type}, got ${JSON.stringify(e.data)}`;
  if (e.keyword === 'required') return `missing required key ${JSON.stringify((e.params as { missingProperty: string }).missingProperty)}`;
  return e.message ?? 'invalid value';
}

type At = (path: KeyPath, msg: string, key?: string) => void;

function dur(s: string | undefined, def: number): number {
  return s === undefined ? def : parseDuration(s);
}

function applyDefaults(raw: Raw, text: string, filename: string, at: At, errors: ConfigError[]): PrometheusConfig {
  const base = filename && !filename.startsWith('<') ? dirname(resolve(filename)) : process.cwd();
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const g = (raw.global ?? {}) as Raw;
  const warnings: string[] = [];
  const scrapeInterval = dur(g.scrape_interval, DEFAULT_SCRAPE_INTERVAL);
  let scrapeTimeout: number;
  if (g.scrape_timeout === undefined) scrapeTimeout = Math.min(DEFAULT_SCRAPE_TIMEOUT, scrapeInterval);
  else scrapeTimeout = parseDuration(g.scrape_timeout);
  if (scrapeTimeout > scrapeInterval) at(['global', 'scrape_timeout'], 'global scrape timeout greater than scrape interval');
  const externalLabels = (g.external_labels ?? {}) as Record<string, string>;
  for (const name of Object.keys(externalLabels)) if (!isLegacyLabelName(name) && name.length === 0) at(['global', 'external_labels'], `${JSON.stringify(name)} is not a valid label name`, name);

  const jobs = new Set<string>();
  const scrapeConfigs: ScrapeConfig[] = [];
  const addScrapeConfig = (sc: Raw, i: number, at: At, abs: (p: string) => string) => {
    const path = ['scrape_configs', i];
    if (sc.job_name === "") at([...path, 'job_name'], 'job_name is empty');
    if (jobs.has(sc.job_name)) at([...path, 'job_name'], `found multiple scrape configs with job name ${JSON.stringify(sc.job_name)}`);
    jobs.add(sc.job_name);
    const interval = dur(sc.scrape_interval, scrapeInterval);
    let timeout: number;
    if (sc.scrape_timeout === undefined) timeout = scrapeTimeout > interval ? interval : scrapeTimeout;
    else timeout = parseDuration(sc.scrape_timeout);
    if (timeout > interval) at([...path, 'scrape_timeout'], `scrape timeout greater than scrape interval for scrape config with job name ${JSON.stringify(sc.job_name)}`);
    const metricsPath = sc.metrics_path ?? '/metrics';
    if (!metricsPath.startsWith('/')) at([...path, 'metrics_path'], `metrics_path must start with "/", got ${JSON.stringify(metricsPath)}`);
    if (sc.authorization && sc.basic_auth) at(path, 'at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured');
    if (sc.bearer_token && sc.bearer_token_file) at(path, 'at most one of bearer_token & bearer_token_file must be configured');
    const unsupported = UNSUPPORTED_SD.filter((k) => sc[k] !== undefined);
    for (const k of unsupported) warnings.push(`scrape_configs[${i}] (job ${JSON.stringify(sc.job_name)}): ${k} is not supported yet and yields no targets`);
    let bodyLimit = 0;
    if (sc.body_size_limit !== undefined) {
      try {
        bodyLimit = parseBytes(sc.body_size_limit);
      } catch (err) {
        at([...path, 'body_size_limit'], (err as Error).message);
      }
    }
    scrapeConfigs.push({
      job_name: sc.job_name,
      honor_labels: sc.honor_labels ?? false,
      honor_timestamps: sc.honor_timestamps ?? true,
      track_timestamps_staleness: sc.track_timestamps_staleness ?? false,
      scrape_interval: interval,
      scrape_timeout: timeout,
      scrape_protocols: sc.scrape_protocols ?? g.scrape_protocols ?? ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4'],
      metrics_path: metricsPath,
      scheme: sc.scheme ?? 'http',
      params: sc.params ?? {},
      enable_compression: sc.enable_compression ?? true,
      sample_limit: sc.sample_limit ?? g.sample_limit ?? 0,
      label_limit: sc.label_limit ?? g.label_limit ?? 0,
      label_name_length_limit: sc.label_name_length_limit ?? g.label_name_length_limit ?? 0,
      label_value_length_limit: sc.label_value_length_limit ?? g.label_value_length_limit ?? 0,
      target_limit: sc.target_limit ?? g.target_limit ?? 0,
      keep_dropped_targets: sc.keep_dropped_targets ?? g.keep_dropped_targets ?? 0,
      body_size_limit: bodyLimit,
      static_configs: staticConfigs(sc.static_configs, [...path, 'static_configs'], at),
      file_sd_configs: ((sc.file_sd_configs ?? []) as Raw[]).map((f) => ({ files: (f.files as string[]).map(abs), refresh_interval: dur(f.refresh_interval, 5 * 60_000) })),
      http_sd_configs: httpSDConfigs(sc.http_sd_configs, [...path, 'http_sd_configs'], at),
      relabel_configs: relabelConfigs(sc.relabel_configs, [...path, 'relabel_configs'], at),
      metric_relabel_configs: relabelConfigs(sc.metric_relabel_configs, [...path, 'metric_relabel_configs'], at),
      basic_auth: sc.basic_auth ? { ...sc.basic_auth, password_file: sc.basic_auth.password_file && abs(sc.basic_auth.password_file) } : undefined,
      authorization: sc.authorization
        ? { type: sc.authorization.type ?? 'Bearer', credentials: sc.authorization.credentials, credentials_file: sc.authorization.credentials_file && abs(sc.authorization.credentials_file) }
        : sc.bearer_token || sc.bearer_token_file
          ? { type: 'Bearer', credentials: sc.bearer_token, credentials_file: sc.bearer_token_file && abs(sc.bearer_token_file) }
          : undefined,
      tls_config: sc.tls_config,
      follow_redirects: sc.follow_redirects ?? true,
      unsupported_sd: unsupported,
    });
  };
  ((raw.scrape_configs ?? []) as Raw[]).forEach((sc, i) => addScrapeConfig(sc, i, at, abs));
  // scrape_config_files: globs relative to this file; each file holds only `scrape_configs`,
  // with paths inside resolved against its own directory, as in Prometheus.
  ((raw.scrape_config_files ?? []) as string[]).forEach((pattern, i) => {
    for (const file of globSync(abs(pattern))) {
      let content: string;
      try {
        content = readFileSync(file, 'utf8');
      } catch (err) {
        at(['scrape_config_files', i], `read ${file}: ${(err as Error).message}`);
        continue;
      }
      const inc = readDocument(content, file, errors, ScrapeConfigFileSchema);
      if (!inc) continue;
      const incBase = dirname(resolve(file));
      const incAbs = (p: string) => (isAbsolute(p) ? p : resolve(incBase, p));
      try {
        ((inc.raw.scrape_configs ?? []) as Raw[]).forEach((sc, j) => addScrapeConfig(sc, j, inc.at, incAbs));
      } catch (err) {
        if (inc.valid) throw err;
      }
    }
  });

  const alerting = (raw.alerting ?? {}) as Raw;
  const alertmanagers: AlertmanagerConfig[] = ((alerting.alertmanagers ?? []) as Raw[]).map((am, i) => ({
    static_configs: staticConfigs(am.static_configs, ['alerting', 'alertmanagers', i, 'static_configs'], at),
    file_sd_configs: ((am.file_sd_configs ?? []) as Raw[]).map((f) => ({ files: (f.files as string[]).map(abs), refresh_interval: dur(f.refresh_interval, 5 * 60_000) })),
    http_sd_configs: httpSDConfigs(am.http_sd_configs, ['alerting', 'alertmanagers', i, 'http_sd_configs'], at),
    relabel_configs: relabelConfigs(am.relabel_configs, ['alerting', 'alertmanagers', i, 'relabel_configs'], at),
    alert_relabel_configs: relabelConfigs(am.alert_relabel_configs, ['alerting', 'alertmanagers', i, 'alert_relabel_configs'], at),
    scheme: am.scheme ?? 'http',
    path_prefix: am.path_prefix ?? '',
    timeout: dur(am.timeout, 10_000),
    api_version: am.api_version ?? 'v2',
    basic_auth: am.basic_auth,
    authorization: am.authorization,
    tls_config: am.tls_config,
  }));

  return {
    global: {
      scrape_interval: scrapeInterval,
      scrape_timeout: scrapeTimeout,
      evaluation_interval: dur(g.evaluation_interval, DEFAULT_EVALUATION_INTERVAL),
      rule_query_offset: dur(g.rule_query_offset, 0),
      external_labels: externalLabels,
      query_log_file: g.query_log_file,
    },
    rule_files: ((raw.rule_files ?? []) as string[]).map(abs),
    scrape_configs: scrapeConfigs,
    alerting: { alert_relabel_configs: relabelConfigs(alerting.alert_relabel_configs, ['alerting', 'alert_relabel_configs'], at), alertmanagers },
    remote_write: ((raw.remote_write ?? []) as Raw[]).map((rw, i) => ({
      url: rw.url,
      name: rw.name,
      remote_timeout: dur(rw.remote_timeout, 30_000),
      headers: rw.headers ?? {},
      write_relabel_configs: relabelConfigs(rw.write_relabel_configs, ['remote_write', i, 'write_relabel_configs'], at),
      basic_auth: rw.basic_auth,
      authorization: rw.authorization,
      tls_config: rw.tls_config,
    })),
    remote_read: ((raw.remote_read ?? []) as Raw[]).map((rr) => ({ url: rr.url, name: rr.name })),
    original: text,
    filename,
    warnings,
  };
}

/** filepath.Glob for one pattern whose last element may hold `*`, `?`, `[…]`; sorted, [] when nothing matches. */
function globSync(pattern: string): string[] {
  const base = basename(pattern);
  if (!/[*?[]/.test(base)) {
    try {
      readFileSync(pattern);
      return [pattern];
    } catch {
      return [];
    }
  }
  const re = new RegExp('^' + base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
  try {
    return readdirSync(dirname(pattern)).filter((f) => re.test(f)).sort().map((f) => join(dirname(pattern), f));
  } catch {
    return [];
  }
}

function httpSDConfigs(list: Raw[] | undefined, path: KeyPath, at: At): HttpSDConfig[] {
  return (list ?? []).map((h, j) => {
    if (!/^https?:\/\/[^/]/.test(h.url)) at([...path, j, 'url'], 'URL scheme must be "http" or "https"');
    return {
      url: h.url,
      refresh_interval: dur(h.refresh_interval, 60_000),
      basic_auth: h.basic_auth,
      authorization: h.authorization ?? (h.bearer_token ? { type: 'Bearer', credentials: h.bearer_token } : undefined),
      tls_config: h.tls_config,
    };
  });
}

function staticConfigs(list: Raw[] | undefined, path: KeyPath, at: At): StaticConfig[] {
  return (list ?? []).map((sc, i) => {
    const targets = (sc.targets ?? []) as string[];
    targets.forEach((t, j) => {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t) || t.includes('/')) at([...path, i, 'targets', j], `${JSON.stringify(t)} is not a valid hostname`);
    });
    const labels = (sc.labels ?? {}) as Record<string, string>;
    for (const name of Object.keys(labels)) if (name === '') at([...path, i, 'labels'], 'label name must not be empty');
    return { targets, labels };
  });
}

const NEEDS_TARGET = new Set(['replace', 'hashmod', 'lowercase', 'uppercase']);

function relabelConfigs(list: Raw[] | undefined, path: KeyPath, at: At): RelabelConfig[] {
  return (list ?? []).map((rc, i) => {
    const action = (rc.action ?? 'replace') as RelabelConfig['action'];
    const regex = rc.regex ?? '(.*)';
    try {
      compileAnchored(regex);
    } catch (err) {
      at([...path, i, 'regex'], (err as Error).message);
    }
    if (NEEDS_TARGET.has(action) && !rc.target_label) at([...path, i], `relabel configuration for ${action} action requires 'target_label' value`);
    if ((action === 'keepequal' || action === 'dropequal') && !rc.target_label) at([...path, i], `relabel configuration for ${action} action requires 'target_label' value`);
    if (action === 'hashmod' && !rc.modulus) at([...path, i], 'relabel configuration for hashmod requires non-zero modulus');
    if ((action === 'labeldrop' || action === 'labelkeep') && (rc.source_labels || rc.target_label || rc.modulus || rc.separator || rc.replacement)) {
      at([...path, i], `${action} action requires only 'regex', and no other fields`);
    }
    return {
      source_labels: rc.source_labels ?? [],
      separator: rc.separator ?? ';',
      regex,
      modulus: rc.modulus ?? 0,
      target_label: rc.target_label ?? '',
      replacement: rc.replacement ?? '$1',
      action,
    };
  });
}
