import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse as parseYAML } from 'yaml';
import type { Logger } from '@vigil/core';
import type { FileSDConfig } from '../config/index.ts';
import type { TargetGroup } from './target-group.ts';

/**
 * File-based discovery: JSON or YAML files of `[{targets: [...], labels: {...}}]`
 * matched by the globs in `files`, re-read every `refresh_interval`. A file
 * that fails to parse keeps its last good groups and logs the error.
 */
export class FileDiscovery {
  private timer: NodeJS.Timeout | undefined;
  private readonly lastGood = new Map<string, TargetGroup[]>();

  constructor(
    private readonly cfg: FileSDConfig,
    private readonly logger: Logger,
    private readonly onUpdate: (groups: TargetGroup[]) => void,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), Math.max(this.cfg.refresh_interval, 1000));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const files = new Set<string>();
    for (const pattern of this.cfg.files) {
      for (const f of await expandGlob(pattern)) files.add(f);
    }
    for (const f of [...this.lastGood.keys()]) if (!files.has(f)) this.lastGood.delete(f);
    for (const f of files) {
      try {
        this.lastGood.set(f, await readGroups(f));
      } catch (err) {
        this.logger.error({ file: f, err: (err as Error).message }, 'error reading file_sd file');
      }
    }
    this.onUpdate([...this.lastGood.values()].flat());
  }
}

async function readGroups(file: string): Promise<TargetGroup[]> {
  const text = await readFile(file, 'utf8');
  const data = /\.json$/i.test(file) ? JSON.parse(text) : parseYAML(text);
  if (!Array.isArray(data)) throw new Error(`${file}: expected a list of target groups`);
  return data.map((g: { targets?: unknown; labels?: unknown }, i: number) => {
    if (!Array.isArray(g.targets)) throw new Error(`${file}: group ${i}: "targets" must be a list`);
    const labels = (g.labels ?? {}) as Record<string, string>;
    return {
      source: `${file}:${i}`,
      labels: { ...labels, __meta_filepath: file },
      targets: (g.targets as string[]).map((t) => ({ __address__: String(t) })),
    };
  });
}

/** Expands `*`, `?` and `[…]` in the last path element, as filepath.Glob does for file_sd patterns. */
async function expandGlob(pattern: string): Promise<string[]> {
  const dir = dirname(pattern);
  const base = basename(pattern);
  if (!/[*?[]/.test(base)) return [pattern];
  const re = new RegExp(
    '^' +
      base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') +
      '$',
  );
  try {
    return (await readdir(dir)).filter((f) => re.test(f)).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}
