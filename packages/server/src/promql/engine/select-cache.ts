import { matchLabels, type Labels, type Matcher } from '@vigil/core';
import type { LoadedSeries } from './value.ts';

interface Entry {
  matchers: readonly Matcher[];
  /** Set when one of the matchers is `__name__="…"`: a written series with another name cannot match. */
  name: string | undefined;
  series: LoadedSeries[];
}

/**
 * Selector results shared by the queries of one rule-group evaluation: the
 * same matchers over the same time range (rules of a group all evaluate at
 * one timestamp) are read from storage once. A rule's output may feed a
 * later rule of the group, so the owner reports every series it writes
 * with {@link written}, which drops the results that series could change.
 * Loaded series are read-only during evaluation, so queries share them.
 */
export class SelectCache {
  private readonly entries = new Map<string, Entry>();

  /** Cache key of one selector read. */
  static key(matchers: readonly Matcher[], mint: number, maxt: number, dropStale: boolean): string {
    let k = `${mint},${maxt},${dropStale ? 1 : 0}`;
    for (const m of matchers) k += `\xff${m.name}\xfe${m.type}\xfe${m.value}`;
    return k;
  }

  get(key: string): LoadedSeries[] | undefined {
    return this.entries.get(key)?.series;
  }

  set(key: string, matchers: readonly Matcher[], series: LoadedSeries[]): void {
    let name: string | undefined;
    for (const m of matchers) if (m.name === '__name__' && m.type === '=') name = m.value;
    this.entries.set(key, { matchers, name, series });
  }

  /** A series was written (a sample or a staleness marker): forget every result it could belong to. */
  written(metric: Labels): void {
    if (this.entries.size === 0) return;
    let name: string | undefined;
    for (const [k, e] of this.entries) {
      if (e.name !== undefined) {
        if (name === undefined) {
          name = '';
          for (const l of metric) if (l.name === '__name__') name = l.value;
        }
        if (name !== e.name) continue;
      }
      if (matchLabels(e.matchers, metric)) this.entries.delete(k);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
