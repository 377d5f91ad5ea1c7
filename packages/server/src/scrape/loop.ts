import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { labelsKey, type Label, type Labels, type Logger } from '@vigil/core';
import type { ScrapeConfig } from '../config/index.ts';
import { parseExposition, ExpositionParseError, type MetricMetadata } from '../model/textparse/index.ts';
import { relabel, type CompiledRelabel } from '../model/relabel/index.ts';
import { STALE_NAN, StorageRejection, type Appendable } from '../storage/index.ts';
import type { Target } from './target.ts';
import type { ScrapeMetrics } from './metrics.ts';

const ACCEPT_HEADER =
  'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
const USER_AGENT = 'Vigil/0.1';

export interface LoopDeps {
  appendable: Appendable;
  logger: Logger;
  metrics: ScrapeMetrics;
}

/**
 * Scrapes one target on its interval until stopped. Each scrape is one
 * storage transaction: scraped samples (relabelled, with target labels),
 * staleness markers for series that vanished since the last scrape, and the
 * synthetic `up`/`scrape_*` series. A failed scrape records `lastError`,
 * writes `up 0` and marks every series of the previous scrape stale.
 */
export class ScrapeLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private abort: AbortController | undefined;
  /** Series keys written by the last successful scrape, with their labels (for staleness). */
  private lastSeries = new Map<string, Labels>();
  private readonly refs = new Map<string, number>();
  metadata = new Map<string, MetricMetadata>();

  constructor(
    readonly target: Target,
    private readonly cfg: ScrapeConfig,
    private readonly metricRelabel: CompiledRelabel[],
    private readonly deps: LoopDeps,
  ) {}

  /** Starts scraping after an offset derived from the target's identity, so targets spread over the interval (as Prometheus does). */
  start(): void {
    const interval = this.target.interval;
    const hash = createHash('sha256').update(this.target.key()).digest().readUInt32BE(0);
    const now = Date.now();
    const offset = (hash - (now % interval) + interval * 4) % interval;
    this.timer = setTimeout(() => this.tick(), offset);
  }

  private tick(): void {
    if (this.stopped) return;
    const started = Date.now();
    this.running = this.scrapeOnce(started).finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      // Stay aligned to the original schedule even when a scrape ran long.
      const next = this.target.interval - ((Date.now() - started) % this.target.interval);
      this.timer = setTimeout(() => this.tick(), next);
    });
  }

  /** Stops the loop; with `markStale`, the target's series get staleness markers (target gone). */
  async stop(markStale: boolean): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort?.abort();
    await this.running;
    if (markStale && this.lastSeries.size > 0) {
      const app = this.deps.appendable.appender();
      const t = Date.now();
      for (const [key, ls] of this.lastSeries) this.appendOne(app, key, ls, t, STALE_NAN, new Map());
      for (const name of SYNTHETIC) {
        const ls = this.syntheticLabels(name);
        this.appendOne(app, labelsKey(ls), ls, t, STALE_NAN, new Map());
      }
      await app.commit();
      this.lastSeries.clear();
    }
  }

  /** Scrapes once now; exposed for tests. */
  async scrapeOnce(ts = Date.now()): Promise<void> {
    const t0 = performance.now();
    const job = this.cfg.job_name;
    this.deps.metrics.scrapes.inc({ job });
    let body: string;
    let openMetrics = false;
    let error = '';
    let parsed: ReturnType<typeof parseExposition> | undefined;
    try {
      ({ body, openMetrics } = await this.fetchBody());
      parsed = parseExposition(body, openMetrics);
      if (this.cfg.sample_limit > 0 && parsed.samples.length > this.cfg.sample_limit) {
        throw new Error(`sample limit exceeded: ${parsed.samples.length} > ${this.cfg.sample_limit}`);
      }
    } catch (err) {
      error = err instanceof ExpositionParseError ? `parse error: ${err.message}` : describeFetchError(err, this.cfg.scrape_timeout);
      parsed = undefined;
    }

    const app = this.deps.appendable.appender();
    const seen = new Map<string, Labels>();
    let scraped = 0;
    let postRelabel = 0;
    let added = 0;
    if (parsed) {
      scraped = parsed.samples.length;
      for (const s of parsed.samples) {
        const ls = this.mutateLabels(s.labels);
        if (!ls) continue;
        postRelabel++;
        const key = labelsKey(ls);
        if (seen.has(key)) continue; // duplicate series in one exposition: first wins, as in Prometheus
        const t = this.cfg.honor_timestamps && s.timestamp !== undefined ? s.timestamp : ts;
        if (!this.lastSeries.has(key)) added++;
        this.appendOne(app, key, ls, t, s.value, seen);
      }
      this.metadata = parsed.metadata;
    }
    // Staleness: series from the last scrape that are gone now (or all of them when this scrape failed).
    for (const [key, ls] of this.lastSeries) if (!seen.has(key)) this.appendOne(app, key, ls, ts, STALE_NAN, new Map());
    this.lastSeries = seen;

    const duration = (performance.now() - t0) / 1000;
    const synth: Array<[string, number]> = [
      ['up', error ? 0 : 1],
      ['scrape_duration_seconds', duration],
      ['scrape_samples_scraped', scraped],
      ['scrape_samples_post_metric_relabeling', postRelabel],
      ['scrape_series_added', added],
    ];
    for (const [name, v] of synth) {
      const ls = this.syntheticLabels(name);
      this.appendOne(app, labelsKey(ls), ls, ts, v, new Map());
    }
    await app.commit();

    this.target.health = error ? 'down' : 'up';
    this.target.lastError = error;
    this.target.lastScrape = new Date(ts);
    this.target.lastScrapeDuration = duration;
    this.deps.metrics.duration.observe({ job }, duration);
    if (error) {
      this.deps.metrics.failures.inc({ job });
      this.deps.logger.debug({ target: this.target.url.href, err: error }, 'scrape failed');
    } else this.deps.metrics.samples.inc({ job }, postRelabel);
  }

  private syntheticLabels(name: string): Labels {
    return [{ name: '__name__', value: name }, ...this.target.labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private appendOne(app: ReturnType<Appendable['appender']>, key: string, ls: Labels, t: number, v: number, seen: Map<string, Labels>): void {
    try {
      const ref = app.append(this.refs.get(key) ?? 0, ls, t, v);
      this.refs.set(key, ref);
      seen.set(key, ls);
    } catch (err) {
      if (!(err instanceof StorageRejection)) throw err;
      this.deps.metrics.rejected.inc({ reason: err.reason });
      // A refused sample still counts as present for staleness purposes.
      seen.set(key, ls);
    }
  }

  /** Merges target labels into scraped ones (honor_labels rules), then applies metric_relabel_configs. */
  private mutateLabels(scraped: Label[]): Labels | undefined {
    const out = new Map<string, string>();
    for (const l of scraped) out.set(l.name, l.value);
    for (const l of this.target.labels) {
      const existing = out.get(l.name);
      if (this.cfg.honor_labels) {
        if (existing === undefined || existing === '') out.set(l.name, l.value);
      } else {
        if (existing !== undefined && existing !== '') {
          // Keep the exposed value under exported_<name>, exported_exported_<name>, …
          let name = `exported_${l.name}`;
          while (out.has(name)) name = `exported_${name}`;
          out.set(name, existing);
        }
        out.set(l.name, l.value);
      }
    }
    const ls: Label[] = [];
    for (const [name, value] of out) if (value !== '') ls.push({ name, value });
    ls.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return relabel(ls, this.metricRelabel);
  }

  private async fetchBody(): Promise<{ body: string; openMetrics: boolean }> {
    this.abort = new AbortController();
    const timer = setTimeout(() => this.abort?.abort(new Error('timeout')), this.cfg.scrape_timeout);
    try {
      const headers: Record<string, string> = {
        Accept: ACCEPT_HEADER,
        'User-Agent': USER_AGENT,
        'X-Prometheus-Scrape-Timeout-Seconds': String(this.cfg.scrape_timeout / 1000),
      };
      if (this.cfg.enable_compression) headers['Accept-Encoding'] = 'gzip';
      else headers['Accept-Encoding'] = 'identity';
      const auth = authorizationHeader(this.cfg);
      if (auth) headers.Authorization = auth;
      const res = await fetch(this.target.url, { headers, signal: this.abort.signal, redirect: this.cfg.follow_redirects === false ? 'manual' : 'follow' });
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`);
      }
      const body = await res.text();
      if (this.cfg.body_size_limit > 0 && Buffer.byteLength(body) > this.cfg.body_size_limit) {
        throw new Error(`body size limit exceeded: ${this.cfg.body_size_limit} bytes`);
      }
      const ct = res.headers.get('content-type') ?? '';
      return { body, openMetrics: ct.startsWith('application/openmetrics-text') };
    } finally {
      clearTimeout(timer);
    }
  }
}

const SYNTHETIC = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'];

function authorizationHeader(cfg: ScrapeConfig): string | undefined {
  if (cfg.basic_auth) {
    const user = cfg.basic_auth.username ?? (cfg.basic_auth.username_file ? readFileSync(cfg.basic_auth.username_file, 'utf8').trim() : '');
    const pass = cfg.basic_auth.password ?? (cfg.basic_auth.password_file ? readFileSync(cfg.basic_auth.password_file, 'utf8').trim() : '');
    return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  if (cfg.authorization) {
    const cred = cfg.authorization.credentials ?? (cfg.authorization.credentials_file ? readFileSync(cfg.authorization.credentials_file, 'utf8').trim() : '');
    return `${cfg.authorization.type ?? 'Bearer'} ${cred}`;
  }
  return undefined;
}

function describeFetchError(err: unknown, timeout: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'AbortError' || e?.message === 'timeout' || (e?.cause as Error | undefined)?.message === 'timeout') {
    return `context deadline exceeded (scrape timeout ${timeout / 1000}s)`;
  }
  if (e?.cause?.code) return `${e.message}: ${e.cause.code} ${e.cause.message ?? ''}`.trim();
  return e?.message ?? String(err);
}
