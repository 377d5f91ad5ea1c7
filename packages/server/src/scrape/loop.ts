import { createHash } from 'node:crypto';
import { labelsKey, ownString, type Label, type Labels, type Logger } from '@vigil/core';
import type { ScrapeConfig } from '../config/index.ts';
import { parseExpositionColumns, ExpositionParseError, type MetricMetadata, type ParsedColumns } from '../model/textparse/index.ts';
import { relabel, type CompiledRelabel } from '../model/relabel/index.ts';
import { STALE_NAN, StorageRejection, type Appendable, type Appender } from '../storage/index.ts';
import type { Target } from './target.ts';
import type { ScrapeMetrics } from './metrics.ts';
import { describeFetchError, fetchExposition } from './fetch.ts';
import { checkLabelLimits } from './limits.ts';
import { SeriesCache, newEntry, type CacheEntry } from './series-cache.ts';

/** What a loop needs from its manager. */
export interface LoopDeps {
  appendable: Appendable;
  logger: Logger;
  metrics: ScrapeMetrics;
  /** Wall clock in ms; sample timestamps and the schedule come from it. */
  now: () => number;
  /** Upper bound for one HTTP request in ms (the scrape_timeout applies when smaller). */
  httpTimeout?: number;
  /** Server identity mixed into scrape phases (see {@link scrapeOffset}). */
  offsetSeed?: string;
}

/** The synthetic series written after every scrape (Prometheus's "report" series). */
export const SYNTHETIC_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'] as const;

/**
 * Delay in ms before a target's first scrape: Prometheus's `Target.offset`.
 * Each target gets a fixed phase within the interval derived from its
 * identity, so many targets spread over the interval instead of firing
 * together, and the phase is the same after a restart.
 * `seed` identifies the server (Prometheus's `offsetSeed`).
 */
export function scrapeOffset(targetKey: string, interval: number, now: number, seed = ''): number {
  // The seed (external labels + hostname) gives each server of an HA pair its own phases.
  const hash = createHash('sha256').update(seed).update('\x00').update(targetKey).digest().readUIntBE(0, 6);
  const base = interval - (now % interval);
  let next = base + (hash % interval);
  if (next > interval) next -= interval;
  return next;
}

/**
 * Scrapes one target on its interval until stopped. Each scrape is one
 * storage transaction: scraped samples (relabelled, with target labels),
 * staleness markers for series that vanished since the last scrape, and the
 * synthetic `up`/`scrape_*` series. A failed scrape (HTTP error, timeout,
 * malformed body, a limit exceeded) records `lastError`, stores none of its
 * samples, writes `up 0` and marks every series of the previous scrape stale.
 */
export class ScrapeLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();
  /** Per-series work (labels after relabelling, storage ref) keyed by the series text of the body. */
  private readonly cache = new SeriesCache();
  /** Series written by the last successful scrape and tracked for staleness. */
  private current: CacheEntry[] = [];
  /** Synthetic series entries, built once: the target's labels never change during a loop's life. */
  private readonly synthetic: CacheEntry[];
  /** When set, every scrape fails with this error without contacting the target (target_limit). */
  forcedError = '';
  /** Metadata from the last successful scrape, by metric family name. */
  metadata = new Map<string, MetricMetadata>();

  constructor(
    readonly target: Target,
    private readonly cfg: ScrapeConfig,
    private readonly metricRelabel: CompiledRelabel[],
    private readonly deps: LoopDeps,
  ) {
    this.synthetic = SYNTHETIC_SERIES.map((name) => {
      const labels = [{ name: '__name__', value: name }, ...this.target.labels].sort(byName);
      return newEntry(labelsKey(labels), labels);
    });
  }

  // Bound once: the parser skips label decoding for series texts the cache already resolved.
  private readonly isKnownSeries = (text: string): boolean => this.cache.get(text) !== undefined;
  /**
   * Series texts and entries of the last successful scrape, by sample
   * position: the parser matches each sample against the text at its
   * position in place and hands back that same string, so a body laid out
   * as the last one needs no cache lookups (see `previousSeries`).
   */
  private lastTexts: string[] = [];
  private lastEntries: CacheEntry[] = [];
  // Arrays that live exactly one scrape interval are reused in turn, not
  // made per scrape (each would be promoted to the old generation and then
  // be its garbage).
  private spareTexts: string[] = [];
  private spareEntries: CacheEntry[] = [];
  private spareCurrent: CacheEntry[] = [];
  /** prepare()'s output, valid until the next scrape's prepare(). */
  private readonly outEntries: CacheEntry[] = [];
  private outValues = new Float64Array(0);
  private outTimestamps = new Float64Array(0);

  /** Starts scraping after the target's offset (see {@link scrapeOffset}). */
  start(): void {
    if (this.stopped || this.timer) return;
    const now = this.deps.now();
    const offset = scrapeOffset(this.target.key(), this.target.interval, now, this.deps.offsetSeed);
    this.due = now + offset;
    this.timer = setTimeout(() => this.tick(), offset);
  }

  /** When the current (or next) scrape was scheduled: the loop's phase, kept as a ticker keeps it. */
  private due = 0;

  private tick(): void {
    if (this.stopped) return;
    const started = this.deps.now();
    this.running = this.scrapeOnce(started)
      .catch((err: unknown) => this.deps.logger.error({ target: this.target.url.href, err }, 'scrape loop failed'))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        // The next slot of the original phase, as Prometheus's ticker: a timer that fired late
        // (a busy event loop) does not shift later scrapes, and a slot missed by a long scrape is
        // skipped, not queued.
        const interval = this.target.interval;
        const now = this.deps.now();
        this.due += interval;
        if (this.due <= now) this.due += (Math.floor((now - this.due) / interval) + 1) * interval;
        else if (this.due > now + interval) this.due = now + interval; // the wall clock went back
        this.timer = setTimeout(() => this.tick(), this.due - now);
      });
  }

  /**
   * Stops the loop and waits for a running scrape to end. With `markStale`
   * (the target disappeared) every series it wrote, synthetic ones included,
   * gets a staleness marker; on shutdown Prometheus writes none, so series
   * continue after a restart.
   */
  async stop(markStale: boolean): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort(new Error('scrape loop stopped'));
    await this.running;
    if (!markStale || this.target.lastScrape === undefined) return;
    const app = this.deps.appendable.appender();
    const t = this.deps.now();
    for (const e of this.current) this.appendOne(app, e, t, STALE_NAN);
    for (const e of this.synthetic) this.appendOne(app, e, t, STALE_NAN);
    await app.commit();
    this.current = [];
  }

  /** Scrapes once with timestamp `ts` (ms); the loop's unit of work, exposed for tests. */
  async scrapeOnce(ts = this.deps.now()): Promise<void> {
    const t0 = performance.now();
    this.deps.metrics.scrapes.inc({ job: this.cfg.job_name });
    let body: string | undefined;
    let openMetrics = false;
    let error = '';
    try {
      if (this.forcedError) throw new LimitError(this.forcedError);
      const timeout = Math.min(this.cfg.scrape_timeout, this.deps.httpTimeout ?? Infinity);
      const fetched = await fetchExposition(this.target.url, this.cfg, timeout, this.abort.signal);
      // Taken out of the result object: the promise that carried it waited
      // on the network through several scavenges, so it is usually in the
      // old generation, and a young object reachable from an old one (even a
      // dead one) survives every scavenge until the next full collection.
      // Left there, every body was promoted and collected by mark-compact.
      body = fetched.body;
      openMetrics = fetched.openMetrics;
      fetched.body = '';
    } catch (err) {
      if (this.stopped) return;
      error = describeFetchError(err);
    }
    // Everything that touches the body runs in one synchronous call: locals
    // of this async function are kept in its (old) generator object across
    // an await, which would promote them the same way.
    const done = this.store(body, openMetrics, error, ts, t0);
    body = undefined;
    await done;
  }

  /**
   * Parses and stores one scrape's body (undefined when the fetch failed
   * with `error`) as one storage transaction; returns the commit.
   */
  private store(body: string | undefined, openMetrics: boolean, error: string, ts: number, t0: number): Promise<void> {
    const iter = this.cache.nextIteration();
    let scraped = 0;
    let prepared: Prepared | undefined;
    let metadata: Map<string, MetricMetadata> | undefined;
    if (body !== undefined) {
      try {
        const parsed = parseExpositionColumns(body, openMetrics, { isKnownSeries: this.isKnownSeries, previousSeries: this.lastTexts });
        scraped = parsed.length;
        metadata = parsed.metadata;
        prepared = this.prepare(parsed, iter);
      } catch (err) {
        error = err instanceof ExpositionParseError ? `parse error: ${err.message}` : err instanceof LimitError ? err.message : describeFetchError(err);
        prepared = undefined;
      }
    }

    const app = this.deps.appendable.appender();
    // One transaction per scrape; an unexpected storage failure must not leave it open.
    let duration: number;
    let commit: Promise<void>;
    try {
      // Filled by index and cut to length at the end: `length = 0` would drop
      // the array's storage and every push would grow a new one.
      const next = this.spareCurrent;
      let tracked = 0;
      if (prepared) {
        const { entries, values, timestamps } = prepared;
        const honor = this.cfg.honor_timestamps;
        const track = !honor || this.cfg.track_timestamps_staleness;
        for (let k = 0; k < entries.length; k++) {
          const e = entries[k]!;
          const own = timestamps[k]!; // NaN: none
          this.appendOne(app, e, honor && own === own ? own : ts, values[k]!);
          // Series with their own timestamps are left out of staleness tracking unless asked for (track_timestamps_staleness).
          if (own !== own || track) {
            e.tracked = iter;
            next[tracked++] = e;
          }
        }
        if (metadata && !sameMetadata(this.metadata, metadata)) this.metadata = ownMetadata(metadata);
      }
      next.length = tracked;
      // Staleness: series of the last scrape that are gone now (all of them when this scrape failed).
      for (const e of this.current) if (e.tracked !== iter) this.appendOne(app, e, ts, STALE_NAN);
      this.spareCurrent = this.current;
      this.current = next;
      if (prepared) this.cache.prune(iter);

      duration = (performance.now() - t0) / 1000;
      const report = [error ? 0 : 1, duration, scraped, prepared?.entries.length ?? 0, prepared?.added ?? 0];
      for (let k = 0; k < report.length; k++) this.appendOne(app, this.synthetic[k]!, ts, report[k]!);
      commit = app.commit();
    } catch (err) {
      return rollbackAndFail(app, err);
    }
    const samples = prepared?.entries.length ?? 0;
    return commit.then(
      () => this.scraped(ts, duration, error, samples),
      (err: unknown) => rollbackAndFail(app, err),
    );
  }

  /** Records a committed scrape on the target and in the loop's metrics. */
  private scraped(ts: number, duration: number, error: string, samples: number): void {
    const job = this.cfg.job_name;
    this.target.health = error ? 'down' : 'up';
    this.target.lastError = error;
    this.target.lastScrape = new Date(ts);
    this.target.lastScrapeDuration = duration;
    this.deps.metrics.duration.observe({ job }, duration);
    if (error) {
      this.deps.metrics.failures.inc({ job });
      this.deps.logger.debug({ job, target: this.target.url.href, err: error }, 'scrape failed');
    } else this.deps.metrics.samples.inc({ job }, samples);
  }

  /**
   * Target labels, metric relabelling, duplicate removal and limits, before
   * anything is appended: a limit violation fails the whole scrape (as
   * Prometheus rolls the scrape back), so nothing partial is stored. Label
   * work happens once per series text; later scrapes reuse the cache entry.
   */
  private prepare(parsed: ParsedColumns, iter: number): Prepared {
    const n = parsed.length;
    const { series, labels } = parsed;
    // The output arrays are the loop's own, reused from scrape to scrape (filled by index, cut to length).
    const entries = this.outEntries;
    if (this.outValues.length < n) {
      this.outValues = new Float64Array(n);
      this.outTimestamps = new Float64Array(n);
    }
    const values = this.outValues;
    const timestamps = this.outTimestamps;
    let out = 0;
    const { lastTexts, lastEntries } = this;
    const texts = this.spareTexts;
    const all = this.spareEntries;
    texts.length = n;
    all.length = n;
    let added = 0;
    for (let k = 0; k < n; k++) {
      const text = series[k]!;
      // The parser returns the last scrape's string itself when the series sits where it sat then.
      let e = text === lastTexts[k] ? lastEntries[k] : this.cache.get(text);
      if (e === undefined) {
        const ls = this.mutateLabels(labels[k]!);
        if (ls) {
          const problem = checkLabelLimits(ls, this.cfg);
          if (problem) throw new LimitError(problem);
        }
        const { entry, isNew } = this.cache.add(text, ls);
        e = entry;
        if (isNew && ls) added++;
      }
      // Keep the cache's own key string where it is the same text, so positions hold no other copy of the body.
      texts[k] = e.text === text ? e.text : text;
      all[k] = e;
      e.seen = iter;
      if (e.labels === undefined) continue; // dropped by metric_relabel_configs
      // The same series twice in one exposition: the first one wins, as in Prometheus.
      if (e.appended === iter) continue;
      e.appended = iter;
      values[out] = parsed.values[k]!;
      timestamps[out] = parsed.timestamps[k]!;
      entries[out++] = e;
    }
    entries.length = out;
    if (this.cfg.sample_limit > 0 && out > this.cfg.sample_limit) {
      throw new LimitError(`sample limit exceeded (${out} samples, limit ${this.cfg.sample_limit})`);
    }
    this.spareTexts = this.lastTexts;
    this.spareEntries = this.lastEntries;
    this.lastTexts = texts;
    this.lastEntries = all;
    return { entries, values: values.subarray(0, out), timestamps: timestamps.subarray(0, out), added };
  }

  private appendOne(app: Appender, e: CacheEntry, t: number, v: number): void {
    try {
      e.ref = app.append(e.ref, e.labels!, t, v);
    } catch (err) {
      if (!(err instanceof StorageRejection)) throw err;
      this.deps.metrics.rejected.inc({ reason: err.reason });
    }
  }

  /** Merges target labels into scraped ones (honor_labels rules), then applies metric_relabel_configs. */
  private mutateLabels(scraped: readonly Label[]): Labels | undefined {
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
    ls.sort(byName);
    return relabel(ls, this.metricRelabel);
  }
}

interface Prepared {
  /** Entries to append, parallel to `values` and `timestamps` (arrays of the loop, reused by its next scrape). */
  entries: CacheEntry[];
  values: Float64Array;
  /** The samples' own timestamps in ms; NaN where they had none. */
  timestamps: Float64Array;
  /** Series new to the cache (scrape_series_added). */
  added: number;
}

/**
 * Rolls a failed transaction back and rejects with the error that failed it:
 * the original error is the one worth logging (a rollback after a failed
 * commit may throw too).
 */
function rollbackAndFail(app: Appender, err: unknown): Promise<never> {
  const fail = (): Promise<never> => Promise.reject(err);
  return app.rollback().then(fail, fail);
}

/** A scrape refused by sample_limit / label limits. */
class LimitError extends Error {}

function byName(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function sameMetadata(a: Map<string, MetricMetadata>, b: Map<string, MetricMetadata>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, m] of b) {
    const o = a.get(name);
    if (o === undefined || o.type !== m.type || o.help !== m.help || o.unit !== m.unit) return false;
  }
  return true;
}

/**
 * A copy whose strings are their own: the parser's are slices of the body,
 * and keeping them for a scrape interval kept each whole body alive long
 * enough to be promoted to the old generation (bodies are hundreds of KB, a
 * scrape every second per target). Metadata rarely changes, so the copy is
 * rare; the previous map is kept while it is the same.
 */
function ownMetadata(m: Map<string, MetricMetadata>): Map<string, MetricMetadata> {
  const out = new Map<string, MetricMetadata>();
  for (const [name, x] of m) out.set(ownString(name), { type: ownString(x.type), help: ownString(x.help), unit: ownString(x.unit) });
  return out;
}
