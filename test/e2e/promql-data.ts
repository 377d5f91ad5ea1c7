// Shared by the PromQL differential test and bench/promql-compare.ts:
// deterministic data, its OpenMetrics form for `promtool tsdb
// create-blocks-from openmetrics`, and a Prometheus started on those blocks.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { labelsFromObject, type Labels } from '@vigil/core';
import type { Appendable } from '../../packages/server/src/storage/index.ts';
import { rng } from '../../packages/server/src/testutil/rng.ts';

export interface GenSeries {
  labels: Record<string, string>;
  ts: number[];
  vs: number[];
}

export interface GenOptions {
  /** First sample time, ms; keep it whole seconds. */
  start: number;
  /** Covered duration, ms. */
  duration: number;
  /** Scrape interval, ms (default 15 s). */
  interval?: number;
  /** Multiplies the number of instances (default 1 → ~120 series). */
  scale?: number;
  seed?: number;
}

export const BUCKETS = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];

/**
 * Generates counters (with resets), gauges (negative values, a series that
 * disappears for longer than the lookback), and classic histograms.
 * Timestamps are a per-series phase ending in .321 s, so that query times
 * ending in .777 s (and subquery steps on whole seconds) never fall on a sample, range or lookback boundary
 * (Prometheus 2.x closed vs 3.x left-open ranges then agree).
 */
export function generate(opts: GenOptions): GenSeries[] {
  const r = rng(opts.seed ?? 7);
  const interval = opts.interval ?? 15_000;
  const scale = opts.scale ?? 1;
  const out: GenSeries[] = [];
  const n = Math.floor(opts.duration / interval);
  const times = (phase: number) => Array.from({ length: n }, (_, k) => opts.start + k * interval + phase);
  const jobs = ['api', 'worker'];
  const instances = Array.from({ length: 3 * scale }, (_, i) => `i${i}`);
  for (const job of jobs) {
    for (const instance of instances) {
      // Off the whole-second grid, so subquery steps never hit a sample either.
      const phase = Math.floor(r() * 14) * 1000 + 321;
      for (const method of ['GET', 'POST']) {
        for (const status of ['200', '500']) {
          const ts = times(phase);
          let v = Math.floor(r() * 1000);
          const rateBase = status === '200' ? 5 + r() * 20 : r() * 2;
          const vs = ts.map(() => {
            if (r() < 0.004) v = 0; // counter reset
            else v += Math.floor(rateBase * (0.5 + r()) * 15);
            return v;
          });
          out.push({ labels: { __name__: 'http_requests_total', job, instance, method, status }, ts, vs });
        }
      }
      // Classic histogram: cumulative buckets, _sum and _count.
      const ts = times(phase);
      const counts = BUCKETS.map(() => 0);
      let sum = 0;
      const bucketVs = BUCKETS.map(() => [] as number[]);
      const sumVs: number[] = [];
      for (let k = 0; k < ts.length; k++) {
        const obs = Math.floor(r() * 30);
        for (let o = 0; o < obs; o++) {
          const x = Math.pow(r(), 2) * 3;
          sum += x;
          BUCKETS.forEach((b, i) => {
            if (x <= Number(b === '+Inf' ? Infinity : b)) counts[i]!++;
          });
        }
        BUCKETS.forEach((_, i) => bucketVs[i]!.push(counts[i]!));
        sumVs.push(sum);
      }
      BUCKETS.forEach((le, i) => out.push({ labels: { __name__: 'request_duration_seconds_bucket', job, instance, le }, ts, vs: bucketVs[i]! }));
      out.push({ labels: { __name__: 'request_duration_seconds_sum', job, instance }, ts, vs: sumVs });
      out.push({ labels: { __name__: 'request_duration_seconds_count', job, instance }, ts, vs: [...bucketVs[BUCKETS.length - 1]!] });
      // Gauges.
      let temp = 20 + r() * 10;
      out.push({ labels: { __name__: 'node_temperature_celsius', job, instance }, ts, vs: ts.map(() => (temp += (r() - 0.5) * 4)) });
      let mem = 1e9 + r() * 1e9;
      out.push({ labels: { __name__: 'node_memory_bytes', job, instance }, ts, vs: ts.map(() => Math.round((mem += (r() - 0.45) * 1e7))) });
      out.push({ labels: { __name__: 'up', job, instance }, ts, vs: ts.map(() => (r() < 0.05 ? 0 : 1)) });
    }
  }
  // A gauge with a gap longer than the lookback delta, and one with negative values.
  const ts = times(3321).filter((t) => t - opts.start < opts.duration * 0.3 || t - opts.start > opts.duration * 0.6);
  out.push({ labels: { __name__: 'flaky_gauge', job: 'batch' }, ts, vs: ts.map(() => Math.round((r() - 0.5) * 200)) });
  return out;
}

/** Label-value escaping of the text formats: backslash, double quote, newline. */
function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** OpenMetrics text (seconds with ms precision), one family at a time, ending in `# EOF`, in pieces of bounded size. */
export function* openMetricsChunks(series: GenSeries[], linesPerChunk = 200_000): Generator<string> {
  const byName = new Map<string, GenSeries[]>();
  for (const s of series) {
    const list = byName.get(s.labels.__name__!) ?? [];
    list.push(s);
    byName.set(s.labels.__name__!, list);
  }
  let lines: string[] = [];
  for (const [name, list] of byName) {
    lines.push(`# TYPE ${name} gauge`);
    for (const s of list) {
      const ls = Object.entries(s.labels)
        .filter(([k]) => k !== '__name__')
        .map(([k, v]) => `${k}="${escapeValue(v)}"`)
        .join(',');
      for (let i = 0; i < s.ts.length; i++) lines.push(`${name}{${ls}} ${s.vs[i]} ${(s.ts[i]! / 1000).toFixed(3)}`);
      if (lines.length >= linesPerChunk) {
        yield lines.join('\n') + '\n';
        lines = [];
      }
    }
  }
  lines.push('# EOF');
  yield lines.join('\n') + '\n';
}

/** OpenMetrics text (seconds with ms precision), one family at a time, ending in `# EOF`. */
export function toOpenMetrics(series: GenSeries[]): string {
  return [...openMetricsChunks(series)].join('');
}

/** Appends the series to a Vigil storage in one transaction. */
export async function loadInto(db: Appendable, series: GenSeries[]): Promise<void> {
  const app = db.appender();
  for (const s of series) {
    const ls: Labels = labelsFromObject(s.labels);
    let ref = 0;
    for (let i = 0; i < s.ts.length; i++) ref = app.append(ref, ls, s.ts[i]!, s.vs[i]!);
  }
  await app.commit();
}

/** Writes blocks for Prometheus with promtool. */
export function createBlocks(series: GenSeries[], dir: string): void {
  const file = join(dir, 'data.om');
  // Written in pieces: at 100k series the whole text is longer than a string can be.
  const fd = openSync(file, 'w');
  try {
    for (const chunk of openMetricsChunks(series)) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, join(dir, 'data')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`promtool failed: ${r.stderr || r.stdout}`);
}

export interface Running {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${ms} ms`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null) return;
    const done = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(t);
  };
}

/** Starts Debian's prometheus on the blocks in `dir/data` (port in the project's 21000-21999 range). */
export async function startPrometheus(dir: string, port: number, extraArgs: string[] = []): Promise<Running> {
  const cfg = join(dir, 'prometheus.yml');
  writeFileSync(cfg, 'global:\n  scrape_interval: 1h\n');
  const child = spawn(
    'prometheus',
    [`--config.file=${cfg}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=100y', '--log.level=error', ...extraArgs],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = stopper(child);
  try {
    await waitReady(`${url}/-/ready`, child, 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, child, stop };
}

/** Starts VictoriaMetrics with its own data dir and imports the OpenMetrics file over HTTP. */
export async function startVictoriaMetrics(dir: string, port: number, series: GenSeries[]): Promise<Running> {
  const child = spawn('victoria-metrics', [`-storageDataPath=${join(dir, 'vm')}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-loggerLevel=ERROR', '-search.latencyOffset=0s', '-search.disableCache'], {
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = stopper(child);
  try {
    await waitReady(`${url}/health`, child, 30_000);
    // Prometheus exposition text with ms timestamps, posted in pieces.
    const chunk = 200_000;
    let lines: string[] = [];
    const post = async () => {
      const res = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body: lines.join('\n') + '\n' });
      if (!res.ok) throw new Error(`victoria-metrics import: ${res.status} ${await res.text()}`);
      lines = [];
    };
    for (const s of series) {
      const ls = Object.entries(s.labels)
        .filter(([k]) => k !== '__name__')
        .map(([k, v]) => `${k}="${escapeValue(v)}"`)
        .join(',');
      for (let i = 0; i < s.ts.length; i++) lines.push(`${s.labels.__name__}{${ls}} ${s.vs[i]} ${s.ts[i]}`);
      if (lines.length >= chunk) await post();
    }
    if (lines.length > 0) await post();
    await fetch(`${url}/internal/force_flush`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, child, stop };
}

/** Prometheus API result as plain data. */
export type ApiResult =
  | { status: 'success'; resultType: string; result: unknown }
  | { status: 'error'; errorType: string; error: string };

export async function apiQuery(base: string, path: 'query' | 'query_range', params: Record<string, string>): Promise<ApiResult> {
  const res = await fetch(`${base}/api/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
  const body = (await res.json()) as { status: string; data?: { resultType: string; result: unknown }; errorType?: string; error?: string };
  if (body.status === 'success') return { status: 'success', resultType: body.data!.resultType, result: body.data!.result };
  return { status: 'error', errorType: body.errorType ?? '', error: body.error ?? '' };
}
