// Differential test: the same generated data in Debian's prometheus (2.42,
// via promtool blocks) and in Vigil's engine over Vigil's TSDB; every query
// of promql-queries.ts is compared instant (at two times) and as a range
// query, value by value (relative tolerance 1e-9, NaN = NaN), and the
// must-fail queries by error status and type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createEngine, PromQLExecError, PromQLParseError, QueryTimeoutError, TooManySamplesError } from '../../packages/server/src/promql/index.ts';
import type { QueryResult } from '../../packages/server/src/promql/index.ts';
import { openDB } from '../../packages/server/src/tsdb/index.ts';
import { apiQuery, createBlocks, generate, loadInto, startPrometheus, type ApiResult } from './promql-data.ts';
import { differentialQueries, FAILING_QUERIES, REGEX_PATTERNS, REGEX_VALUES } from './promql-queries.ts';

const available = spawnSync('prometheus', ['--version']).status === 0 && spawnSync('promtool', ['--version']).status === 0;

type Norm = { kind: 'error'; errorType: string } | { kind: 'scalar'; v: number } | { kind: 'series'; series: Map<string, [number, number][]> } | { kind: 'string' };

function num(s: string): number {
  return s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s);
}

function key(metric: Record<string, string>): string {
  return JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function fromApi(r: ApiResult): Norm {
  if (r.status === 'error') return { kind: 'error', errorType: r.errorType };
  if (r.resultType === 'scalar') return { kind: 'scalar', v: num((r.result as [number, string])[1]) };
  if (r.resultType === 'string') return { kind: 'string' };
  const series = new Map<string, [number, number][]>();
  for (const s of r.result as { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[]) {
    const pts = s.values ?? [s.value!];
    series.set(key(s.metric), pts.map(([t, v]) => [Math.round(t * 1000), num(v)]));
  }
  return { kind: 'series', series };
}

function fromVigil(r: QueryResult | Error): Norm {
  if (r instanceof Error) {
    const errorType = r instanceof PromQLParseError ? 'bad_data' : r instanceof QueryTimeoutError ? 'timeout' : r instanceof PromQLExecError || r instanceof TooManySamplesError ? 'execution' : `crash: ${r.message}`;
    return { kind: 'error', errorType };
  }
  const v = r.value;
  const obj = (ls: readonly { name: string; value: string }[]) => Object.fromEntries(ls.map((l) => [l.name, l.value]));
  switch (v.type) {
    case 'scalar':
      return { kind: 'scalar', v: v.v };
    case 'string':
      return { kind: 'string' };
    case 'vector':
      return { kind: 'series', series: new Map(v.vector.map((s) => [key(obj(s.metric)), [[s.t, s.v]]])) };
    case 'matrix':
      return { kind: 'series', series: new Map(v.matrix.map((s) => [key(obj(s.metric)), s.ts.map((t, i) => [t, s.vs[i]!] as [number, number])])) };
  }
}

/**
 * Named 2.42 vs 3.x differences; the comparison is adjusted for exactly these
 * and nothing else.
 */
const KNOWN_DIFFERENCES: { match: RegExp; why: string; adjustPrometheus: (n: Norm) => Norm }[] = [
  {
    match: / atan2 /,
    why: 'Prometheus 2.42 keeps __name__ on atan2 results; 3.x drops it like the other arithmetic operators',
    adjustPrometheus: (n) =>
      n.kind === 'series' ? { kind: 'series', series: new Map([...n.series].map(([k, v]) => [JSON.stringify((JSON.parse(k) as [string, string][]).filter(([l]) => l !== '__name__')), v])) } : n,
  },
];

function adjust(q: string, n: Norm): Norm {
  for (const k of KNOWN_DIFFERENCES) if (k.match.test(q)) n = k.adjustPrometheus(n);
  return n;
}

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const diff = Math.abs(a - b);
  // Relative 1e-9; near zero, an absolute 1e-12 absorbs summation-order noise
  // (2.42 adds plainly where 3.x uses compensated sums).
  return diff <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) || (Math.abs(a) < 1e-6 && Math.abs(b) < 1e-6 && diff < 1e-12);
}

function diff(p: Norm, v: Norm): string | undefined {
  if (p.kind !== v.kind) return `prometheus ${p.kind}${p.kind === 'error' ? ` ${p.errorType}` : ''}, vigil ${v.kind}${v.kind === 'error' ? ` ${v.errorType}` : ''}`;
  if (p.kind === 'error' && v.kind === 'error') return p.errorType === v.errorType ? undefined : `error types ${p.errorType} vs ${v.errorType}`;
  if (p.kind === 'scalar' && v.kind === 'scalar') return close(p.v, v.v) ? undefined : `scalar ${p.v} vs ${v.v}`;
  if (p.kind === 'series' && v.kind === 'series') {
    for (const k of p.series.keys()) if (!v.series.has(k)) return `missing in vigil: ${k}`;
    for (const k of v.series.keys()) if (!p.series.has(k)) return `extra in vigil: ${k}`;
    for (const [k, pp] of p.series) {
      const vp = v.series.get(k)!;
      if (pp.length !== vp.length) return `${k}: ${pp.length} points vs ${vp.length}`;
      for (let i = 0; i < pp.length; i++) {
        if (pp[i]![0] !== vp[i]![0] || !close(pp[i]![1], vp[i]![1])) return `${k} point ${i}: ${pp[i]![1]}@${pp[i]![0]} vs ${vp[i]![1]}@${vp[i]![0]}`;
      }
    }
  }
  return undefined;
}

test('PromQL results agree with Debian prometheus', { skip: !available && 'prometheus/promtool not installed', timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-promql-diff-'));
  const start = Date.UTC(2025, 0, 1);
  const data = generate({ start, duration: 2 * 3600_000 });
  const probeTs = Array.from({ length: 480 }, (_, k) => start + k * 15_000 + 555);
  for (const v of REGEX_VALUES) data.push({ labels: { __name__: 'regex_probe', v }, ts: probeTs, vs: probeTs.map(() => 1) });
  createBlocks(data, dir);
  const port = 21000 + (process.pid % 400) + 300;
  const prom = await startPrometheus(dir, port);
  const db = await openDB({ dir: join(dir, 'vigil') });
  try {
    await loadInto(db, data);
    const engine = createEngine();
    const t1 = start + 40 * 60_000 + 7777;
    const t2 = start + 95 * 60_000 + 3777;
    const rs = start + 20 * 60_000 + 7777;
    const re = start + 110 * 60_000 + 7777;
    const at = ((start + 61 * 60_000 + 1777) / 1000).toFixed(3);
    const queries = differentialQueries(at);
    const problems: string[] = [];
    let compared = 0;
    const vigil = async (fn: () => Promise<QueryResult>) => {
      try {
        return await fn();
      } catch (e) {
        return e as Error;
      }
    };
    for (const q of queries) {
      for (const t of [t1, t2]) {
        const p = adjust(q, fromApi(await apiQuery(prom.url, 'query', { query: q, time: (t / 1000).toFixed(3) })));
        const v = fromVigil(await vigil(() => engine.instantQuery(db, q, t)));
        const d = diff(p, v);
        if (d) problems.push(`instant ${q} @${t}: ${d}`);
        compared++;
      }
      const p = adjust(q, fromApi(await apiQuery(prom.url, 'query_range', { query: q, start: (rs / 1000).toFixed(3), end: (re / 1000).toFixed(3), step: '60' })));
      const v = fromVigil(await vigil(() => engine.rangeQuery(db, q, rs, re, 60_000)));
      const d = diff(p, v);
      if (d) problems.push(`range ${q}: ${d}`);
      compared++;
    }
    for (const q of FAILING_QUERIES) {
      const p = fromApi(await apiQuery(prom.url, 'query', { query: q, time: (t1 / 1000).toFixed(3) }));
      const v = fromVigil(await vigil(() => engine.instantQuery(db, q, t1)));
      if (p.kind !== 'error') problems.push(`must-fail ${q}: prometheus accepted it`);
      const d = diff(p, v);
      if (d) problems.push(`must-fail ${q}: ${d}`);
      compared++;
    }
    // Regex matchers: the set of matched label values (or the error type) must agree.
    let regexAgree = 0;
    for (const re of REGEX_PATTERNS) {
      const q = `regex_probe{v=~\`${re}\`} or regex_probe{v!~\`${re}\`} * 0`;
      const p = fromApi(await apiQuery(prom.url, 'query', { query: q, time: (t1 / 1000).toFixed(3) }));
      const v = fromVigil(await vigil(() => engine.instantQuery(db, q, t1)));
      const d = diff(p, v);
      if (d) problems.push(`regex ${JSON.stringify(re)}: ${d}`);
      else regexAgree++;
      compared++;
    }
    console.log(`promql differential: ${compared - problems.length}/${compared} comparisons agree over ${queries.length} expressions + ${FAILING_QUERIES.length} must-fail + ${REGEX_PATTERNS.length} regex patterns (${regexAgree} agree)`);
    assert.deepEqual(problems, []);
  } finally {
    await prom.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
