import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.ts';
import type { FileResult, RunOptions } from './run.ts';
import { runScript } from './run.ts';

/** Where the shared conformance data lives, relative to the repository root. */
export const TESTDATA_DIR = join('..', 'shared', 'conformance', 'promql', 'testdata');

/** Engine settings the upstream runner uses (FORMAT.md §7). */
export function conformanceEngine(): Engine {
  return new Engine({ lookbackDelta: 5 * 60_000, maxSamples: 10_000, timeout: 100_000, defaultSubqueryStep: 60_000 });
}

/** Per-file counts by group. */
export interface FileSummary {
  file: string;
  core: { passed: number; failed: number };
  nativeHistogram: { passed: number; total: number };
  experimental: { passed: number; total: number };
}

export function summarize(r: FileResult): FileSummary {
  const s: FileSummary = { file: r.file, core: { passed: 0, failed: 0 }, nativeHistogram: { passed: 0, total: 0 }, experimental: { passed: 0, total: 0 } };
  for (const c of r.cases) {
    if (c.group === 'core') {
      if (c.ok) s.core.passed++;
      else s.core.failed++;
    } else {
      const g = c.group === 'native-histogram' ? s.nativeHistogram : s.experimental;
      g.total++;
      if (c.ok) g.passed++;
    }
  }
  return s;
}

/** Runs every `*.test` file in `dir` (sorted) with one shared engine, as upstream does. */
export async function runSuite(dir: string = TESTDATA_DIR, filter?: (file: string) => boolean, opts?: RunOptions): Promise<FileResult[]> {
  const engine = conformanceEngine();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test'))
    .filter((f) => !filter || filter(f))
    .sort();
  const out: FileResult[] = [];
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    try {
      out.push(await runScript(f, text, engine, opts));
    } catch (e) {
      out.push({ file: f, cases: [], error: (e as Error).message });
    }
  }
  return out;
}
