import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse as parseYAML } from 'yaml';
import type { Logger } from '@vigil/core';
import type { FileSDConfig } from '../../config/index.ts';
import type { TargetGroup } from '../target-group.ts';

/**
 * File-based discovery: JSON (`.json`) or YAML (`.yml`/`.yaml`) files of
 * `[{targets: [...], labels: {...}}]` matched by the globs in `files`.
 * Files are re-read when their directory changes (fs.watch) and every
 * `refresh_interval` as a fallback for filesystems without change events.
 * A file that fails to parse keeps its last good groups and logs the error,
 * as Prometheus does. Each target gets `__meta_filepath`.
 */
export class FileDiscovery {
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private watchers: FSWatcher[] = [];
  private readonly lastGood = new Map<string, TargetGroup[]>();
  private stopped = false;
  private refreshing: Promise<void> = Promise.resolve();

  constructor(
    private readonly cfg: FileSDConfig,
    private readonly logger: Logger,
    private readonly onUpdate: (groups: TargetGroup[]) => void,
  ) {}

  /** Reads the files once (resolving after the first `onUpdate`), then keeps watching. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.stopped) return;
    for (const dir of new Set(this.cfg.files.map((f) => dirname(f)))) {
      try {
        const w = watch(dir, () => this.scheduleRefresh());
        w.on('error', (err) => this.logger.warn({ dir, err }, 'file_sd watch failed; relying on refresh_interval'));
        w.unref();
        this.watchers.push(w);
      } catch (err) {
        this.logger.warn({ dir, err }, 'file_sd watch failed; relying on refresh_interval');
      }
    }
    this.timer = setInterval(() => void this.refresh(), Math.max(this.cfg.refresh_interval, 1000));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  // Editors write a file in several events (truncate, write, rename); read once they settle.
  private scheduleRefresh(): void {
    if (this.stopped) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.refresh(), 50);
    this.debounce.unref();
  }

  /** Re-reads every matching file and reports all groups; refreshes never overlap. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(() => this.doRefresh());
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    if (this.stopped) return;
    const files = new Set<string>();
    for (const pattern of this.cfg.files) {
      for (const f of await expandGlob(pattern)) files.add(f);
    }
    for (const f of [...this.lastGood.keys()]) if (!files.has(f)) this.lastGood.delete(f);
    for (const f of files) {
      try {
        this.lastGood.set(f, await readGroups(f));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          this.lastGood.delete(f);
          continue;
        }
        this.logger.error({ file: f, err: (err as Error).message }, 'error reading file_sd file');
      }
    }
    if (!this.stopped) this.onUpdate([...this.lastGood.values()].flat());
  }
}

/** Parses one file_sd file. @throws on unreadable or malformed content, naming the file and group */
export async function readGroups(file: string): Promise<TargetGroup[]> {
  const text = await readFile(file, 'utf8');
  const data: unknown = /\.json$/i.test(file) ? JSON.parse(text) : parseYAML(text);
  if (data === null || data === undefined) return [];
  if (!Array.isArray(data)) throw new Error(`${file}: expected a list of target groups`);
  return data.map((g: unknown, i: number) => {
    if (typeof g !== 'object' || g === null) throw new Error(`${file}: group ${i}: expected a mapping`);
    const { targets, labels = {}, ...rest } = g as { targets?: unknown; labels?: unknown };
    const extra = Object.keys(rest);
    if (extra.length) throw new Error(`${file}: group ${i}: unknown key ${JSON.stringify(extra[0])}`);
    if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string')) throw new Error(`${file}: group ${i}: "targets" must be a list of strings`);
    if (typeof labels !== 'object' || labels === null || Object.values(labels).some((v) => typeof v !== 'string')) {
      throw new Error(`${file}: group ${i}: "labels" must map names to strings`);
    }
    return {
      source: `${file}:${i}`,
      labels: { ...(labels as Record<string, string>), __meta_filepath: file },
      targets: (targets as string[]).map((t) => ({ __address__: t })),
    };
  });
}

/** Expands `*`, `?` and `[…]` in the last path element, as filepath.Glob does for file_sd patterns. */
async function expandGlob(pattern: string): Promise<string[]> {
  const dir = dirname(pattern);
  const base = basename(pattern);
  if (!/[*?[]/.test(base)) return [pattern];
  const re = new RegExp('^' + base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
  try {
    return (await readdir(dir)).filter((f) => re.test(f)).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}
