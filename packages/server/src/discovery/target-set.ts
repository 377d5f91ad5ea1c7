import type { Logger } from '@vigil/core';
import type { FileSDConfig, HttpSDConfig, StaticConfig } from '../config/index.ts';
import type { Discoverer } from './mechanism.ts';
import type { TargetGroup } from './target-group.ts';
import { staticDiscovery } from './static/index.ts';
import { fileDiscovery } from './file/index.ts';
import { httpDiscovery } from './http/index.ts';

/** The discovery part of a scrape (or alertmanager) config. */
export interface DiscoveryConfigs {
  static_configs: readonly StaticConfig[];
  file_sd_configs: readonly FileSDConfig[];
  http_sd_configs?: readonly HttpSDConfig[];
}

/**
 * Runs every discovery mechanism of one job and merges their groups
 * (Prometheus's discovery manager, per target set). Each entry is its own
 * provider, so a file update replaces only that provider's groups.
 */
export class TargetSetDiscovery {
  private readonly providers: Array<{ key: string; discoverer: Discoverer }> = [];
  private readonly current = new Map<string, TargetGroup[]>();
  private started = false;

  constructor(
    cfg: DiscoveryConfigs,
    logger: Logger,
    private readonly onUpdate: (groups: TargetGroup[]) => void,
  ) {
    const add = (key: string, discoverer: Discoverer) => this.providers.push({ key, discoverer });
    cfg.static_configs.forEach((c, i) => add(`${staticDiscovery.type}/${i}`, staticDiscovery.create(c, { logger }, (g) => this.update(`${staticDiscovery.type}/${i}`, g))));
    cfg.file_sd_configs.forEach((c, i) => add(`${fileDiscovery.type}/${i}`, fileDiscovery.create(c, { logger }, (g) => this.update(`${fileDiscovery.type}/${i}`, g))));
    (cfg.http_sd_configs ?? []).forEach((c, i) => add(`${httpDiscovery.type}/${i}`, httpDiscovery.create(c, { logger }, (g) => this.update(`${httpDiscovery.type}/${i}`, g))));
  }

  /** Starts every provider; resolves when each delivered its first groups. Updates before that are not forwarded. */
  async start(): Promise<void> {
    await Promise.all(this.providers.map((p) => p.discoverer.start()));
    this.started = true;
  }

  stop(): void {
    this.started = false;
    for (const p of this.providers) p.discoverer.stop();
  }

  /** All groups, in provider order. */
  groups(): TargetGroup[] {
    return this.providers.flatMap((p) => this.current.get(p.key) ?? []);
  }

  private update(key: string, groups: TargetGroup[]): void {
    this.current.set(key, groups);
    if (this.started) this.onUpdate(this.groups());
  }
}
