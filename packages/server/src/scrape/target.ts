import { labelsFromObject, getLabel, type Labels } from '@vigil/core';
import { formatDuration } from '@vigil/core';
import type { ScrapeConfig } from '../config/index.ts';
import { relabel, type CompiledRelabel } from '../model/relabel/index.ts';
import type { TargetGroup } from '../discovery/index.ts';

export type Health = 'up' | 'down' | 'unknown';

/** One scrape target: its labels before and after relabelling and its scrape state. */
export class Target {
  health: Health = 'unknown';
  lastError = '';
  lastScrape: Date | undefined;
  lastScrapeDuration = 0;

  constructor(
    /** Labels after relabelling, without `__`-prefixed ones; what samples are stored with. */
    readonly labels: Labels,
    /** Labels as discovered, before relabelling. */
    readonly discoveredLabels: Record<string, string>,
    readonly url: URL,
    readonly pool: string,
    readonly interval: number,
    readonly timeout: number,
  ) {}

  /** Identity across reloads: same labels and URL means the same target. */
  key(): string {
    return `${this.url.href}\x00${JSON.stringify(this.labels)}`;
  }
}

/**
 * Builds targets from discovered groups with Prometheus's rules
 * (scrape/target.go `PopulateLabels`): defaults for `__scheme__`,
 * `__metrics_path__`, `__param_*`, then `relabel_configs`, then `instance`
 * from `__address__`, then `__`-prefixed labels removed.
 */
export function targetsFromGroups(
  cfg: ScrapeConfig,
  relabels: CompiledRelabel[],
  groups: readonly TargetGroup[],
): { active: Target[]; dropped: Array<Record<string, string>> } {
  const active: Target[] = [];
  const dropped: Array<Record<string, string>> = [];
  const seen = new Set<string>();
  for (const g of groups) {
    for (const t of g.targets) {
      const base: Record<string, string> = {
        job: cfg.job_name,
        __scheme__: cfg.scheme,
        __metrics_path__: cfg.metrics_path,
        __scrape_interval__: formatDuration(cfg.scrape_interval),
        __scrape_timeout__: formatDuration(cfg.scrape_timeout),
        ...g.labels,
        ...t,
      };
      for (const [k, vs] of Object.entries(cfg.params)) if (vs[0] !== undefined && base[`__param_${k}`] === undefined) base[`__param_${k}`] = vs[0];
      const discovered = { ...base };
      const ls = relabel(labelsFromObject(base), relabels);
      if (!ls) {
        dropped.push(discovered);
        continue;
      }
      const address = getLabel(ls, '__address__');
      if (!address) {
        dropped.push(discovered);
        continue;
      }
      const scheme = getLabel(ls, '__scheme__') || 'http';
      const path = getLabel(ls, '__metrics_path__') || '/metrics';
      let url: URL;
      try {
        // An address that is not host[:port] (a path, a scheme, spaces) cannot be scraped; Prometheus drops it too.
        if (address.includes('/')) throw new Error('address contains a path');
        url = new URL(`${scheme}://${address}${path}`);
      } catch {
        dropped.push(discovered);
        continue;
      }
      const params = new URLSearchParams();
      for (const [k, vs] of Object.entries(cfg.params)) for (const v of vs) params.append(k, v);
      for (const l of ls) if (l.name.startsWith('__param_')) params.set(l.name.slice(8), l.value);
      const qs = params.toString();
      if (qs) url.search = qs;
      const final = ls.filter((l) => !l.name.startsWith('__'));
      const withInstance = getLabel(final, 'instance') ? final : labelsFromObject({ ...Object.fromEntries(final.map((l) => [l.name, l.value])), instance: address });
      const target = new Target(withInstance, discovered, url, cfg.job_name, cfg.scrape_interval, cfg.scrape_timeout);
      if (seen.has(target.key())) continue;
      seen.add(target.key());
      active.push(target);
    }
  }
  return { active, dropped };
}
