import { silentLogger, labelsToObject, formatDuration, type Logger } from '@vigil/core';
import { Registry } from 'prom-client';
import type { PrometheusConfig, ScrapeConfig } from '../config/index.ts';
import { compileRelabel } from '../model/relabel/index.ts';
import { FileDiscovery, type TargetGroup } from '../discovery/index.ts';
import type { Appendable } from '../storage/index.ts';
import type { Reloadable, Service } from '../app/service.ts';
import type { ActiveTargetView, DroppedTargetView, MetricMetadataView } from '../api/v1/deps.ts';
import { targetsFromGroups, type Target } from './target.ts';
import { ScrapeLoop } from './loop.ts';
import { ScrapeMetrics } from './metrics.ts';

export interface ScrapeManagerOptions {
  appendable: Appendable;
  logger?: Logger;
  registry?: Registry;
}

interface Pool {
  cfg: ScrapeConfig;
  cfgKey: string;
  loops: Map<string, ScrapeLoop>;
  dropped: Array<Record<string, string>>;
  staticGroups: TargetGroup[];
  fileGroups: Map<number, TargetGroup[]>;
  discoveries: FileDiscovery[];
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

  constructor(private readonly opts: ScrapeManagerOptions) {
    this.logger = opts.logger ?? silentLogger();
    this.metrics = new ScrapeMetrics(opts.registry ?? new Registry());
  }

  async applyConfig(cfg: PrometheusConfig): Promise<void> {
    // Compile everything first so an invalid regex leaves the running pools untouched.
    const compiled = cfg.scrape_configs.map((sc) => ({ sc, relabel: compileRelabel(sc.relabel_configs), metric: compileRelabel(sc.metric_relabel_configs) }));
    const wanted = new Set(cfg.scrape_configs.map((s) => s.job_name));
    for (const [job, pool] of this.pools) {
      if (!wanted.has(job)) {
        await this.stopPool(pool, true);
        this.pools.delete(job);
      }
    }
    for (const { sc } of compiled) {
      const cfgKey = JSON.stringify(sc);
      const existing = this.pools.get(sc.job_name);
      if (existing && existing.cfgKey === cfgKey) continue;
      if (existing) await this.stopPool(existing, false);
      const pool: Pool = {
        cfg: sc,
        cfgKey,
        loops: existing && existing.cfgKey === cfgKey ? existing.loops : new Map(),
        dropped: [],
        staticGroups: sc.static_configs.map((s, i) => ({ source: `${i}`, labels: s.labels, targets: s.targets.map((t) => ({ __address__: t })) })),
        fileGroups: new Map(),
        discoveries: [],
      };
      this.pools.set(sc.job_name, pool);
      pool.discoveries = sc.file_sd_configs.map(
        (f, i) =>
          new FileDiscovery(f, this.logger, (groups) => {
            pool.fileGroups.set(i, groups);
            void this.syncPool(pool, existing?.loops);
          }),
      );
      for (const d of pool.discoveries) await d.start();
      for (const name of sc.unsupported_sd) this.logger.warn({ job: sc.job_name, sd: name }, 'service discovery mechanism not supported; it yields no targets');
      await this.syncPool(pool, existing?.loops);
    }
  }

  /** Reconciles a pool's loops with its current target groups. */
  private async syncPool(pool: Pool, previous?: Map<string, ScrapeLoop>): Promise<void> {
    const groups = [...pool.staticGroups, ...[...pool.fileGroups.values()].flat()];
    const relabels = compileRelabel(pool.cfg.relabel_configs);
    const metricRelabel = compileRelabel(pool.cfg.metric_relabel_configs);
    const { active, dropped } = targetsFromGroups(pool.cfg, relabels, groups);
    pool.dropped = dropped;
    const want = new Map<string, Target>(active.map((t) => [t.key(), t]));
    for (const [key, loop] of pool.loops) {
      if (!want.has(key)) {
        pool.loops.delete(key);
        await loop.stop(true);
      }
    }
    for (const [key, target] of want) {
      if (pool.loops.has(key)) continue;
      const loop = new ScrapeLoop(target, pool.cfg, metricRelabel, { appendable: this.opts.appendable, logger: this.logger, metrics: this.metrics });
      pool.loops.set(key, loop);
      if (this.started) loop.start();
    }
    void previous;
    this.metrics.targets.set({ job: pool.cfg.job_name }, pool.loops.size);
  }

  private async stopPool(pool: Pool, markStale: boolean): Promise<void> {
    for (const d of pool.discoveries) d.stop();
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
          lastScrape: (t.lastScrape ?? new Date(0)).toISOString(),
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
