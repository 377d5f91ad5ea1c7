import { compileUnanchored, compareLabels, getLabel, labelsKey, type Labels } from '@vigil/core';
import { isStaleNaN } from '../../storage/index.ts';
import { CUSTOM_BUCKETS_SCHEMA, FloatHistogram } from '../histogram/float-histogram.ts';
import { parseSeriesFloat, type Slot } from './series-line.ts';
import { MemoryStorage } from '../../testutil/index.ts';
import { formatExpr, parseExpr } from '../parser/index.ts';
import type { Expr } from '../parser/ast.ts';
import type { QueryEngine, QueryResult, QueryValue } from '../types.ts';
import { classify, type CaseGroup } from './classify.ts';
import { compareResult } from './compare.ts';
import { parseScript, type EvalCmd, type Expectation, type LoadCmd } from './script.ts';

/** Outcome of one eval case. */
export interface CaseResult {
  line: number;
  query: string;
  group: CaseGroup;
  ok: boolean;
  /** Why it failed. */
  problem?: string;
}

export interface FileResult {
  file: string;
  cases: CaseResult[];
  /** A script-level error (unreadable file): every case counts as failed. */
  error?: string;
}

export interface RunOptions {
  /** Run the @-modifier step-invariance variants (FORMAT.md §5.3); default true. */
  atVariants?: boolean;
}

/** Functions whose value depends on the evaluation time: no @-variants for them. */
const TIME_DEPENDENT = new Set(['time', 'timestamp', 'day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year', 'predict_linear', 'start', 'end', 'range', 'step']);

/**
 * Runs one `.test` script against `engine`, with fresh in-memory storage
 * (replaced on `clear`), native histograms included. Cases that read
 * native histograms are counted in their own group.
 */
export async function runScript(file: string, text: string, engine: QueryEngine, opts: RunOptions = {}): Promise<FileResult> {
  const cmds = parseScript(text);
  let storage = new MemoryStorage();
  let histogramMetrics = new Set<string>();
  let histogramSeries: Labels[] = [];
  let startTimestamps = false;
  const cases: CaseResult[] = [];
  for (const cmd of cmds) {
    if (cmd.kind === 'clear') {
      storage = new MemoryStorage();
      histogramMetrics = new Set();
      histogramSeries = [];
      startTimestamps = false;
    } else if (cmd.kind === 'load') {
      if (cmd.startTimestamps) startTimestamps = true;
      await load(storage, cmd, histogramMetrics, histogramSeries);
    } else {
      const group = classify(cmd, histogramMetrics, histogramSeries, startTimestamps);
      let problem: string | undefined;
      try {
        problem = await runEval(engine, storage, cmd, opts.atVariants ?? true);
      } catch (e) {
        problem = `runner error: ${(e as Error).message}`;
      }
      cases.push({ line: cmd.line, query: cmd.query, group, ok: problem === undefined, problem });
    }
  }
  return { file, cases };
}

async function load(storage: MemoryStorage, cmd: LoadCmd, histogramMetrics: Set<string>, histogramSeries: Labels[]): Promise<void> {
  const app = storage.appender();
  for (const s of cmd.series) {
    const name = getLabel(s.labels, '__name__');
    let ref = 0;
    if (s.slots.some((x) => x.kind === 'histogram')) histogramSeries.push(s.labels);
    s.slots.forEach((slot, k) => {
      if (slot.kind === 'histogram') {
        histogramMetrics.add(name);
        ref = app.appendHistogram(ref, s.labels, k * cmd.interval, slot.h);
      } else if (slot.kind === 'float') ref = app.append(ref, s.labels, k * cmd.interval, slot.v);
    });
  }
  if (cmd.nhcb) {
    for (const { labels, samples } of nhcbSeries(cmd)) {
      histogramMetrics.add(getLabel(labels, '__name__'));
      histogramSeries.push(labels);
      let ref = 0;
      for (const [t, h] of samples) ref = app.appendHistogram(ref, labels, t, h);
    }
  }
  await app.commit();
}

/**
 * load_with_nhcb (FORMAT.md §2.4): classic histogram series (`_bucket`,
 * `_count`, `_sum`) also become native histograms with custom buckets under
 * their base name.
 */
function nhcbSeries(cmd: LoadCmd): { labels: Labels; samples: [number, FloatHistogram][] }[] {
  interface Group {
    labels: Labels;
    buckets: { le: number; slots: Slot[] }[];
    count?: Slot[];
    sum?: Slot[];
  }
  const groups = new Map<string, Group>();
  for (const s of cmd.series) {
    const name = getLabel(s.labels, '__name__');
    const m = /^(.*)_(bucket|count|sum)$/.exec(name);
    if (!m) continue;
    const base = s.labels.filter((l) => l.name !== 'le').map((l) => (l.name === '__name__' ? { name: l.name, value: m[1]! } : l));
    const key = labelsKey(base);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels: base, buckets: [] }));
    if (m[2] === 'bucket') {
      const le = s.labels.find((l) => l.name === 'le');
      if (!le) continue;
      const v = parseSeriesFloat(le.value.trim());
      if (Number.isNaN(v) || le.value.trim() === '') continue;
      g.buckets.push({ le: v, slots: s.slots });
    } else if (m[2] === 'count') g.count = s.slots;
    else g.sum = s.slots;
  }
  const out: { labels: Labels; samples: [number, FloatHistogram][] }[] = [];
  for (const g of groups.values()) {
    g.buckets.sort((a, b) => a.le - b.le);
    const n = Math.max(0, ...g.buckets.map((b) => b.slots.length), g.count?.length ?? 0, g.sum?.length ?? 0);
    const samples: [number, FloatHistogram][] = [];
    const val = (slots: Slot[] | undefined, k: number): number | undefined => {
      const x = slots?.[k];
      return x && x.kind === 'float' ? x.v : undefined;
    };
    for (let k = 0; k < n; k++) {
      const bs = g.buckets.map((b) => ({ le: b.le, v: val(b.slots, k) })).filter((b) => b.v !== undefined) as { le: number; v: number }[];
      const count = val(g.count, k);
      const sum = val(g.sum, k);
      if (bs.length === 0 && count === undefined && sum === undefined) continue;
      if ([...bs.map((b) => b.v), count, sum].some((v) => v !== undefined && isStaleNaN(v))) continue;
      const h = new FloatHistogram();
      h.schema = CUSTOM_BUCKETS_SCHEMA;
      const cv: number[] = [];
      let prev = 0;
      bs.forEach((b, i) => {
        if (b.le !== Infinity) cv.push(b.le);
        const c = b.v - prev;
        if (c < 0) throw new Error(`load_with_nhcb: non-cumulative bucket counts for ${labelsKey(g.labels)}`);
        h.pIdx.push(i);
        h.pCnt.push(c);
        prev = b.v;
      });
      if (bs.length === 0 || bs[bs.length - 1]!.le !== Infinity) {
        const c = (count ?? prev) - prev;
        h.pIdx.push(bs.length);
        h.pCnt.push(c);
        prev = count ?? prev;
      }
      h.customValues = cv;
      h.count = count ?? prev;
      h.sum = sum ?? 0;
      samples.push([k * cmd.interval, h]);
    }
    if (samples.length) out.push({ labels: g.labels, samples });
  }
  return out;
}

async function exec(engine: QueryEngine, storage: MemoryStorage, query: string, start: number, end: number, step: number): Promise<{ res?: QueryResult; err?: Error }> {
  try {
    const res = step === 0 ? await engine.instantQuery(storage, query, start) : await engine.rangeQuery(storage, query, start, end, step);
    return { res };
  } catch (e) {
    return { err: e as Error };
  }
}

function matches(e: Expectation, s: string): boolean {
  if (e.msg !== undefined) return s === e.msg;
  if (e.regex !== undefined) return compileUnanchored(e.regex).test(s);
  return true;
}

function checkAnnotations(cmd: EvalCmd, res: QueryResult): string | undefined {
  for (const [kind, want, any, none, got] of [
    ['warning', cmd.warn, cmd.anyWarn, cmd.noWarn, res.warnings],
    ['info', cmd.info, cmd.anyInfo, cmd.noInfo, res.infos],
  ] as const) {
    if (none && got.length > 0) return `unexpected ${kind}s: ${got.join('; ')}`;
    if (any && got.length === 0) return `expected a ${kind}`;
    if (want.length === 0) continue;
    if (got.length === 0) return `expected ${kind}s, got none`;
    for (const w of want) if (!got.some((g) => matches(w, g))) return `no ${kind} matches ${w.msg ?? w.regex}: got ${got.join('; ')}`;
    for (const g of got) if (!want.some((w) => matches(w, g))) return `unexpected ${kind}: ${g}`;
  }
  return undefined;
}

/** One instant or range evaluation with fail/annotation/result checks. */
async function checkOnce(engine: QueryEngine, storage: MemoryStorage, cmd: EvalCmd, query: string, t: number): Promise<{ problem?: string; value?: QueryValue }> {
  const { res, err } = cmd.instant ? await exec(engine, storage, query, t, t, 0) : await exec(engine, storage, query, cmd.start, cmd.end, cmd.step);
  if (err) {
    if (!cmd.fail) return { problem: `unexpected error: ${err.message}` };
    if (!matches(cmd.fail, err.message)) return { problem: `error ${JSON.stringify(err.message)} does not match ${cmd.fail.msg ?? cmd.fail.regex}` };
    return {};
  }
  if (cmd.fail) return { problem: `expected an error, got ${res!.value.type}` };
  const ap = checkAnnotations(cmd, res!);
  if (ap) return { problem: ap };
  const p = compareResult(cmd, res!.value, cmd.instant ? undefined : { start: cmd.start, end: cmd.end, step: cmd.step });
  return { problem: p, value: res!.value };
}

/** The range-mode cross-check of an instant case (FORMAT.md §5.2). */
async function rangeCheck(engine: QueryEngine, storage: MemoryStorage, cmd: EvalCmd, query: string, t: number, instantValue: QueryValue): Promise<string | undefined> {
  const { res, err } = await exec(engine, storage, query, t - 60_000, t + 60_000, 60_000);
  if (err) return `range mode: ${err.message}`;
  if (cmd.ordered) return undefined;
  const v = res!.value;
  if (v.type !== 'matrix') return `range mode returned ${v.type}`;
  for (let i = 1; i < v.matrix.length; i++) if (compareLabels(v.matrix[i - 1]!.metric, v.matrix[i]!.metric) >= 0) return 'range mode: matrix not sorted';
  const vector: { metric: Labels; t: number; v: number; h?: FloatHistogram }[] = [];
  for (const s of v.matrix) {
    const i = s.ts.indexOf(t);
    if (i >= 0) vector.push({ metric: s.metric, t, v: s.vs[i]!, h: s.hs?.[i] });
  }
  const asValue: QueryValue = instantValue.type === 'scalar' ? { type: 'scalar', t, v: vector[0]?.v ?? NaN } : { type: 'vector', vector };
  const p = compareResult(cmd, asValue);
  return p ? `range mode: ${p}` : undefined;
}

function usesTimeFunction(e: Expr): boolean {
  switch (e.kind) {
    case 'call':
      return TIME_DEPENDENT.has(e.func) || e.args.some(usesTimeFunction);
    case 'aggregate':
      return usesTimeFunction(e.expr) || (e.param !== undefined && usesTimeFunction(e.param));
    case 'binary':
      return usesTimeFunction(e.lhs) || usesTimeFunction(e.rhs);
    case 'paren':
    case 'unary':
    case 'subquery':
      return usesTimeFunction(e.expr);
    default:
      return false;
  }
}

/** Adds `@ t` to every selector and subquery without one, not descending into subqueries. */
function addAt(e: Expr, t: number): Expr {
  const at = { type: 'time' as const, t };
  switch (e.kind) {
    case 'vector':
      return e.at ? e : { ...e, at };
    case 'matrix':
      return e.vs.at ? e : { ...e, vs: { ...e.vs, at } };
    case 'subquery':
      return e.at ? e : { ...e, at };
    case 'call':
      return { ...e, args: e.args.map((a) => addAt(a, t)) };
    case 'aggregate':
      return { ...e, expr: addAt(e.expr, t), param: e.param && addAt(e.param, t) };
    case 'binary':
      return { ...e, lhs: addAt(e.lhs, t), rhs: addAt(e.rhs, t) };
    case 'paren':
    case 'unary':
      return { ...e, expr: addAt(e.expr, t) };
    default:
      return e;
  }
}

async function runEval(engine: QueryEngine, storage: MemoryStorage, cmd: EvalCmd, atVariants: boolean): Promise<string | undefined> {
  if (!cmd.instant) return (await checkOnce(engine, storage, cmd, cmd.query, cmd.start)).problem;
  const runs: { query: string; t: number }[] = [{ query: cmd.query, t: cmd.start }];
  if (atVariants) {
    const ast = parseExpr(cmd.query);
    if (!usesTimeFunction(ast)) {
      const T = cmd.start;
      const rewritten = formatExpr(addAt(ast, T));
      const times = T === 0 ? [-1000, 0, 1000] : [-10 * T, 0, Math.trunc(T / 5), T, 10 * T];
      for (const t of times) runs.push({ query: rewritten, t });
    }
  }
  const skipRange = cmd.rangeVector !== undefined || cmd.string !== undefined || /\b(?:start|end|range|step)\s*\(\s*\)/.test(cmd.query);
  for (const r of runs) {
    const { problem, value } = await checkOnce(engine, storage, cmd, r.query, r.t);
    const where = r.query === cmd.query ? '' : ` [@-variant ${r.query} at ${r.t}]`;
    if (problem) return problem + where;
    if (cmd.fail || skipRange || !value) continue;
    const rp = await rangeCheck(engine, storage, cmd, r.query, r.t, value);
    if (rp) return rp + where;
  }
  return undefined;
}
