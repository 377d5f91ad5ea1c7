import { hostname } from 'node:os';
import { silentLogger, labelsToObject, formatDuration, type Logger } from '@vigil/core';
import { Registry } from 'prom-client';
import type { PrometheusConfig, ScrapeConfig } from '../config/index.ts';
import { compileRelabel } from '../model/relabel/index.ts';
import { TargetSetDiscovery, type TargetGroup } from '../discovery/index.ts';
import type { Appendable } from '../storage/index.ts';
import type { Reloadable, Service } from '../app/service.ts';
import type { ActiveTargetView, DroppedTargetView, MetricMetadataView } from '../api/v1/deps.ts';
import { targetsFromGroups, type Target } from './target.ts';
import { ScrapeLoop } from './loop.ts';
import { ScrapeMetrics } from './metrics.ts';

/** Dependencies of a {@link ScrapeManager}. */
export interface ScrapeManagerOptions {
  /** Where scraped samples go; one transaction per scrape. */
  appendable: Appendable;
  logger?: Logger;
  /** Registry for the `vigil_scrape_*` self-metrics (a private one when omitted). */
  registry?: Registry;
  /** Wall clock in ms (default `Date.now`); sample timestamps and scrape phases come from it. */
  now?: () => number;
  /** Upper bound in ms for one HTTP request; each job's scrape_timeout applies when smaller. */
  httpTimeout?: number;
}

interface Pool {
  cfg: ScrapeConfig;
  cfgKey: string;
  discoveryKey: string;
  syncing: Promise<void>;
  loops: Map<string, ScrapeLoop>;
  dropped: Array<Record<string, string>>;
  groups: TargetGroup[];
  discovery: TargetSetDiscovery | undefined;
}

/**
 * Runs one scrape pool per `scrape_configs` entry and one loop per target.
 * `applyConfig` keeps the loops of targets whose pool configuration and
 * labels did not change, so a reload causes no gap in their series.
 */
export class ScrapeManager implements Service, Reloadable<PrometheusConfig> {
  private readonly pools = new Map<string, Pool>();
  private readonly logger: Logger;
  private readonly metrics: ScrapeMetrics;
  private started = false;
  private offsetSeed: string | undefined;

  constructor(private readonly opts: ScrapeManagerOptions) {
    this.logger = opts.logger ?? silentLogger();
    this.metrics = new ScrapeMetrics(opts.registry ?? new Registry());
  }

  async applyConfig(cfg: PrometheusConfig): Promise<void> {
    const seed = JSON.stringify([hostname(), Object.entries(cfg.global.external_labels).sort()]);
    // Compile everything first so an invalid regex leaves the running pools untouched.
    for (const sc of cfg.scrape_configs) {
      compileRelabel(sc.relabel_configs);
      compileRelabel(sc.metric_relabel_configs);
    }
    // A new seed moves every phase: restart all loops, as Prometheus does when external labels change.
    const reseeded = seed !== this.offsetSeed;
    this.offsetSeed = seed;
    const wanted = new Set(cfg.scrape_configs.map((s) => s.job_name));
    for (const [job, pool] of this.pools) {
      if (!wanted.has(job)) {
        await this.stopPool(pool, true);
        this.pools.delete(job);
      }
    }
    for (const sc of cfg.scrape_configs) {
      // Discovery settings and scrape settings are compared apart: a changed
      // target list only starts and stops the loops concerned.
      const cfgKey = JSON.stringify({ ...sc, static_configs: undefined, file_sd_configs: undefined, http_sd_configs: undefined });
      const discoveryKey = JSON.stringify([sc.static_configs, sc.file_sd_configs, sc.http_sd_configs]);
      const existing = this.pools.get(sc.job_name);
      if (existing && existing.cfgKey === cfgKey && existing.discoveryKey === discoveryKey && !reseeded) continue;
      const restartLoops = existing !== undefined && (existing.cfgKey !== cfgKey || reseeded);
      existing?.discovery?.stop();
      const pool: Pool = existing ?? { cfg: sc, cfgKey, discoveryKey, loops: new Map(), dropped: [], groups: [], discovery: undefined, syncing: Promise.resolve() };
      pool.cfg = sc;
      pool.cfgKey = cfgKey;
      pool.discoveryKey = discoveryKey;
      this.pools.set(sc.job_name, pool);
      const discovery = new TargetSetDiscovery(sc, this.logger, (groups) => {
        pool.groups = groups;
        // Failures are logged by syncPool; a discovery update has no caller to report to.
        this.syncPool(pool, false).catch(() => {});
      });
      pool.discovery = discovery;
      // Initial reads happen before the first sync so file targets do not flap on reload.
      await discovery.start();
      pool.groups = discovery.groups();
      for (const name of sc.unsupported_sd) this.logger.warn({ job: sc.job_name, sd: name }, 'service discovery mechanism not supported; it yields no targets');
      await this.syncPool(pool, restartLoops);
    }
  }

  /**
   * Reconciles a pool's loops with its current target groups: loops of
   * vanished targets stop with staleness markers, new targets get loops.
   * With `restartAll` (the job's scrape settings changed) surviving targets
   * get a fresh loop too, without staleness markers, as Prometheus's reload does.
   */
  private syncPool(pool: Pool, restartAll: boolean): Promise<void> {
    // Discovery updates and reloads arrive concurrently; one sync at a time per pool.
    const run = pool.syncing.then(() => this.doSyncPool(pool, restartAll));
    // A failed sync must not block later ones.
    pool.syncing = run.catch((err: unknown) => this.logger.error({ job: pool.cfg.job_name, err }, 'syncing scrape targets failed'));
    return run;
  }

  private async doSyncPool(pool: Pool, restartAll: boolean): Promise<void> {
    const groups = pool.groups;
    const relabels = compileRelabel(pool.cfg.relabel_configs);
    const metricRelabel = compileRelabel(pool.cfg.metric_relabel_configs);
    const { active, dropped } = targetsFromGroups(pool.cfg, relabels, groups);
    const keep = pool.cfg.keep_dropped_targets;
    pool.dropped = keep > 0 ? dropped.slice(0, keep) : dropped;
    const want = new Map<string, Target>(active.map((t) => [t.key(), t]));
    const stops: Array<Promise<void>> = [];
    for (const [key, loop] of pool.loops) {
      if (!want.has(key) || restartAll) {
        pool.loops.delete(key);
        stops.push(loop.stop(!want.has(key)));
      }
    }
    await Promise.all(stops);
    for (const [key, target] of want) {
      if (pool.loops.has(key)) continue;
      const loop = new ScrapeLoop(target, pool.cfg, metricRelabel, {
        appendable: this.opts.appendable,
        logger: this.logger,
        metrics: this.metrics,
        now: this.opts.now ?? Date.now,
        httpTimeout: this.opts.httpTimeout,
        offsetSeed: this.offsetSeed,
      });
      pool.loops.set(key, loop);
      if (this.started) loop.start();
    }
    // Over target_limit every target of the job fails until the list shrinks, as in Prometheus.
    const limit = pool.cfg.target_limit;
    const forced = limit > 0 && want.size > limit ? `target_limit exceeded (number of targets: ${want.size}, limit: ${limit})` : '';
    for (const loop of pool.loops.values()) loop.forcedError = forced;
    this.metrics.targets.set({ job: pool.cfg.job_name }, pool.loops.size);
  }

  private async stopPool(pool: Pool, markStale: boolean): Promise<void> {
    pool.discovery?.stop();
    await Promise.all([...pool.loops.values()].map((l) => l.stop(markStale)));
    pool.loops.clear();
    this.metrics.targets.remove({ job: pool.cfg.job_name });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const pool of this.pools.values()) for (const loop of pool.loops.values()) loop.start();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    // Prometheus does not write staleness markers on shutdown: the series resume after a restart.
    for (const pool of this.pools.values()) await this.stopPool(pool, false);
  }

  /** Targets in the shape of `/api/v1/targets`. */
  targets(): { activeTargets: ActiveTargetView[]; droppedTargets: DroppedTargetView[] } {
    const activeTargets: ActiveTargetView[] = [];
    const droppedTargets: DroppedTargetView[] = [];
    for (const pool of this.pools.values()) {
      for (const loop of pool.loops.values()) {
        const t = loop.target;
        activeTargets.push({
          discoveredLabels: t.discoveredLabels,
          labels: labelsToObject(t.labels),
          scrapePool: t.pool,
          scrapeUrl: t.url.href,
          globalUrl: t.url.href,
          lastError: t.lastError,
          // Prometheus reports Go's zero time for a target not scraped yet.
          lastScrape: t.lastScrape ? t.lastScrape.toISOString() : '0001-01-01T00:00:00Z',
          lastScrapeDuration: t.lastScrapeDuration,
          health: t.health,
          scrapeInterval: formatDuration(t.interval),
          scrapeTimeout: formatDuration(t.timeout),
        });
      }
      for (const d of pool.dropped) droppedTargets.push({ discoveredLabels: d, scrapePool: pool.cfg.job_name });
    }
    return { activeTargets, droppedTargets };
  }

  /** Metric metadata per target, from the last scrape's `# TYPE`/`# HELP`/`# UNIT` lines. */
  metadata(): MetricMetadataView[] {
    const out: MetricMetadataView[] = [];
    for (const pool of this.pools.values()) {
      for (const loop of pool.loops.values()) {
        const target = labelsToObject(loop.target.labels);
        for (const [metric, m] of loop.metadata) out.push({ target, metric, type: m.type, help: m.help, unit: m.unit });
      }
    }
    return out;
  }
}
