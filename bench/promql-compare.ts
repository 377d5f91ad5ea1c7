// Dashboard-style range queries against Debian's prometheus, VictoriaMetrics
// and Vigil's engine on the same generated data; prints median latencies,
// ratios and geometric means. Bounded: a fixed data size and repeat count.
//
//   npx tsx bench/promql-compare.ts [--scale N] [--repeats N]
//
// All three are measured over the Prometheus HTTP API (/api/v1/query_range,
// POST form): Vigil's API routes on Fastify over its engine and TSDB, in
// this process. The in-process engine time is printed as well.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { astJSON, createEngine, formatExpr, parseExpr, parseSelector } from '../packages/server/src/promql/index.ts';
import { registerApiV1 } from '../packages/server/src/api/v1/index.ts';
import { openDB } from '../packages/server/src/tsdb/index.ts';
import { QUERIES } from './promql-queries.ts';
import { apiQuery, createBlocks, generate, loadInto, startPrometheus, startVictoriaMetrics, type Running } from '../test/e2e/promql-data.ts';
import { numArg } from './args.ts';

const scale = numArg('--scale', 30);
const repeats = numArg('--repeats', 5);


function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const ts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

const hasVM = spawnSync('victoria-metrics', ['-version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'vigil-promql-bench-'));
const start = Date.UTC(2025, 0, 1);
const duration = 3600_000;
const data = generate({ start, duration, scale, seed: 11 });
const samples = data.reduce((a, s) => a + s.ts.length, 0);
console.log(`data: ${data.length} series, ${samples} samples over 1h (scale ${scale}); ${repeats} repeats, median`);
const t0 = performance.now();
createBlocks(data, dir);
let prom: Running | undefined;
let vm: Running | undefined;
let app: ReturnType<typeof Fastify> | undefined;
const db = await openDB({ dir: join(dir, 'vigil') });
try {
  prom = await startPrometheus(dir, 21600 + (process.pid % 100));
  if (hasVM) vm = await startVictoriaMetrics(dir, 21700 + (process.pid % 100), data);
  await loadInto(db, data);
  console.log(`loaded in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
  const engine = createEngine();
  app = Fastify();
  await app.register(formbody);
  registerApiV1(app, {
    engine,
    queryable: db,
    parseSelector,
    formatQuery: (q: string) => formatExpr(parseExpr(q)),
    parseQuery: (q: string) => astJSON(parseExpr(q)),
    now: () => Date.now(),
    lookbackDelta: 5 * 60_000,
    targets: () => ({ activeTargets: [], droppedTargets: [] }),
    targetMetadata: () => [],
    configYAML: () => '',
    flags: () => ({}),
    buildInfo: { version: 'bench', revision: '', branch: '', buildUser: '', buildDate: '', goVersion: '' },
    runtimeInfo: () => ({}),
    alertmanagers: () => ({ activeAlertmanagers: [], droppedAlertmanagers: [] }),
  });
  const vigilUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const s = start + 5 * 60_000 + 777;
  const e = start + duration - 1223;
  const step = 15_000;
  const params = (q: string) => ({ query: q, start: (s / 1000).toFixed(3), end: (e / 1000).toFixed(3), step: String(step / 1000) });
  const rows: { q: string; prom: number; vm?: number; vigil: number; inproc: number }[] = [];
  for (const q of QUERIES) {
    const p = await time(async () => {
      const r = await apiQuery(prom!.url, 'query_range', params(q));
      if (r.status !== 'success') throw new Error(`prometheus: ${r.error}`);
    });
    const v = vm
      ? await time(async () => {
          const r = await apiQuery(vm!.url, 'query_range', params(q));
          if (r.status !== 'success') throw new Error(`victoria-metrics: ${r.error}`);
        })
      : undefined;
    const g = await time(async () => {
      const r = await apiQuery(vigilUrl, 'query_range', params(q));
      if (r.status !== 'success') throw new Error(`vigil: ${r.error}`);
    });
    const inproc = await time(() => engine.rangeQuery(db, q, s, e, step));
    rows.push({ q, prom: p, vm: v, vigil: g, inproc });
    console.log(`${g.toFixed(1).padStart(8)} ms vigil (${inproc.toFixed(1)} in-process)  ${p.toFixed(1).padStart(8)} ms prometheus  ${v === undefined ? '      n/a' : v.toFixed(1).padStart(8) + ' ms'} victoria  ratio vigil/prom ${(g / p).toFixed(2)}  ${q}`);
  }
  const gp = geomean(rows.map((r) => r.prom));
  const gg = geomean(rows.map((r) => r.vigil));
  console.log(`geometric mean: vigil ${gg.toFixed(1)} ms (in-process engine ${geomean(rows.map((r) => r.inproc)).toFixed(1)} ms), prometheus ${gp.toFixed(1)} ms${vm ? `, victoria-metrics ${geomean(rows.map((r) => r.vm!)).toFixed(1)} ms` : ''}`);
  console.log(`vigil / prometheus = ${(gg / gp).toFixed(2)}${vm ? `, vigil / victoria-metrics = ${(gg / geomean(rows.map((r) => r.vm!))).toFixed(2)}` : ''}`);
} finally {
  await app?.close();
  await prom?.stop();
  await vm?.stop();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
