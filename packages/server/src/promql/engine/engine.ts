import { compareLabels, labelsKey, silentLogger, type Labels, type Logger } from '@vigil/core';
import { Counter, Histogram, Registry } from 'prom-client';
import type { Queryable, Series } from '../../storage/index.ts';
import { isStaleNaN } from '../../storage/index.ts';
import type { QueryEngine, QueryOptions, QueryResult, QueryValue, RangeSeries, Sample } from '../types.ts';
import { PromQLExecError, PromQLParseError, QueryCanceledError, QueryTimeoutError, TooManySamplesError } from '../errors.ts';
import { dropMetadata } from './grouping.ts';
import { parseExpr, typeOf } from '../parser/index.ts';
import { lineCol } from '../parser/lexer.ts';
import { evalDuration, type DurationContext, type DurationExpr } from '../parser/duration-expr.ts';
import type { Expr, VectorSelector } from '../parser/ast.ts';
import { Evaluator, slice, sliceAny, type EvalContext } from './eval.ts';
import { selectorRanges } from './preload.ts';
import { checkExtended } from './extended-range.ts';
import { infoSelector } from './info.ts';
import type { LoadedSeries } from './value.ts';
import { SelectCache } from './select-cache.ts';
import { FloatHistogram } from '../histogram/float-histogram.ts';

export interface EngineOptions {
  /** ms, default 5m. */
  lookbackDelta?: number;
  /** ms, default 2m. */
  timeout?: number;
  maxSamples?: number;
  maxConcurrency?: number;
  /** Step for subqueries without one, ms (Prometheus: the global evaluation interval, default 1m). */
  defaultSubqueryStep?: number;
  logger?: Logger;
  registry?: Registry;
}

/** Functions whose result order is meaningful: their output is not re-sorted. */
const ORDERED_ROOTS = new Set(['sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc']);

/**
 * Vigil's PromQL engine. Each query selects the series its selectors need
 * once (with the time range every step can touch), then evaluates step by
 * step over in-memory copies. Safe for concurrent queries; at most
 * `maxConcurrency` run at once, the rest wait in order.
 */
export class Engine implements QueryEngine {
  private readonly lookback: number;
  private readonly timeout: number;
  private readonly maxSamples: number;
  private readonly maxConcurrency: number;
  private readonly subqueryStep: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly logger: Logger;
  private readonly duration: Histogram<'slice'>;
  private readonly failures: Counter<'reason'>;

  constructor(opts: EngineOptions = {}) {
    this.lookback = opts.lookbackDelta ?? 5 * 60_000;
    this.timeout = opts.timeout ?? 2 * 60_000;
    this.maxSamples = opts.maxSamples ?? 50_000_000;
    this.maxConcurrency = opts.maxConcurrency ?? 20;
    this.subqueryStep = opts.defaultSubqueryStep ?? 60_000;
    this.logger = opts.logger ?? silentLogger();
    const registers = [opts.registry ?? new Registry()];
    this.duration = new Histogram({
      name: 'vigil_engine_query_duration_seconds',
      help: 'Query timings by phase.',
      labelNames: ['slice'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60],
      registers,
    });
    this.failures = new Counter({ name: 'vigil_engine_query_failures_total', help: 'Queries that failed, by reason.', labelNames: ['reason'], registers });
  }

  instantQuery(q: Queryable, expr: string, ts: number, opts?: QueryOptions): Promise<QueryResult> {
    return this.exec(q, expr, ts, ts, 0, opts);
  }

  rangeQuery(q: Queryable, expr: string, start: number, end: number, step: number, opts?: QueryOptions): Promise<QueryResult> {
    return this.exec(q, expr, start, end, step, opts);
  }

  private async acquire(signal: AbortSignal | undefined, deadline: number): Promise<void> {
    if (this.active < this.maxConcurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new QueryTimeoutError('query queue')), Math.max(0, deadline - performance.now()));
      signal?.addEventListener('abort', () => reject(new QueryCanceledError('query queue')), { once: true });
      this.waiting.push(() => {
        clearTimeout(timer);
        this.active++;
        resolve();
      });
    });
  }

  private release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next) next();
  }

  private async exec(q: Queryable, text: string, start: number, end: number, step: number, opts: QueryOptions = {}): Promise<QueryResult> {
    const text0 = text;
    const t0 = performance.now();
    const expr = parseExpr(text);
    resolveDurations(expr, { step: step / 1000, range: (end - start) / 1000 });
    checkExtended(expr);
    if (step > 0) {
      const ty = typeOf(expr);
      if (ty !== 'scalar' && ty !== 'vector') {
        const documented = ty === 'matrix' ? 'range vector' : ty;
        throw new PromQLParseError(`invalid expression type "${documented}" for range query, must be Scalar or instant Vector`, { start: 0, end: text.length });
      }
    }
    const timeout = Math.min(opts.timeout ?? this.timeout, this.timeout);
    const deadline = t0 + timeout;
    await this.acquire(opts.signal, deadline);
    try {
      const lookback = opts.lookbackDelta ?? this.lookback;
      const tPrep = performance.now();
      const loaded = await this.load(q, expr, start, end, lookback, opts.signal, deadline, opts.selectCache);
      const prepTime = (performance.now() - tPrep) / 1000;
      const ctx: EvalContext = {
        start,
        end,
        step,
        lookback,
        defaultSubqueryStep: this.subqueryStep,
        loaded,
        deadline,
        signal: opts.signal,
        maxSamples: this.maxSamples,
        warnings: new Map(),
        infos: new Map(),
      };
      const ev = new Evaluator(ctx);
      const tEval = performance.now();
      const value = step === 0 ? this.instant(ev, expr, start) : this.range(ev, expr, start, end, step);
      const evalTime = (performance.now() - tEval) / 1000;
      this.duration.observe({ slice: 'prepare_time' }, prepTime);
      this.duration.observe({ slice: 'inner_eval' }, evalTime);
      let totalSamples = 0;
      for (const ss of loaded.values()) for (const s of ss) totalSamples += s.ts.length;
      return {
        value,
        warnings: [...ctx.warnings].map(([text, pos]) => `${text} (${lineCol(text0, pos)})`),
        infos: [...ctx.infos].map(([text, pos]) => `${text} (${lineCol(text0, pos)})`),
        stats: opts.stats
          ? {
              totalQueryableSamples: totalSamples,
              peakSamples: totalSamples,
              timings: {
                evalTotalTime: prepTime + evalTime,
                resultSortTime: 0,
                queryPreparationTime: prepTime,
                innerEvalTime: evalTime,
                execQueueTime: (tPrep - t0) / 1000,
                execTotalTime: (performance.now() - t0) / 1000,
              },
            }
          : undefined,
      };
    } catch (err) {
      this.failures.inc({ reason: (err as Error).name });
      throw err;
    } finally {
      this.release();
    }
  }

  private async load(q: Queryable, expr: Expr, start: number, end: number, lookback: number, signal: AbortSignal | undefined, deadline: number, cache: SelectCache | undefined): Promise<Map<VectorSelector, LoadedSeries[]>> {
    const ranges = selectorRanges(expr, start, end, lookback);
    const loaded = new Map<VectorSelector, LoadedSeries[]>();
    if (ranges.length === 0) return loaded;
    let mint = Infinity;
    let maxt = -Infinity;
    for (const r of ranges) {
      if (r.mint < mint) mint = r.mint;
      if (r.maxt > maxt) maxt = r.maxt;
    }
    let querier: Awaited<ReturnType<Queryable['querier']>> | undefined;
    let total = 0;
    try {
      for (const r of ranges) {
        if (signal?.aborted) throw new QueryCanceledError('query preparation');
        if (performance.now() > deadline) throw new QueryTimeoutError('query preparation');
        const key = cache ? SelectCache.key(r.node.matchers, r.mint, r.maxt, r.range > 0) : '';
        let list = cache?.get(key);
        if (!list) {
          querier ??= await q.querier(mint, maxt);
          const set = await querier.select(false, { start: r.mint, end: r.maxt, step: 0, range: r.range }, ...r.node.matchers);
          list = [];
          for (const s of set.series) {
            const ls = readSeries(s, r.mint, r.maxt, r.range > 0);
            if (ls) list.push(ls);
          }
          cache?.set(key, r.node.matchers, list);
        }
        for (const s of list) total += s.ts.length;
        if (total > this.maxSamples) throw new TooManySamplesError('query preparation');
        loaded.set(r.node, list);
      }
    } finally {
      querier?.close();
    }
    return loaded;
  }

  private instant(ev: Evaluator, expr: Expr, t: number): QueryValue {
    const v = ev.eval(expr, t);
    switch (v.type) {
      case 'scalar':
        return { type: 'scalar', t, v: v.v };
      case 'string':
        return { type: 'string', t, s: v.s };
      case 'vector': {
        const vector: Sample[] = v.samples.map((s) => (s.h ? { metric: s.drop ? dropMetadata(s.metric) : s.metric, t, v: s.v, h: s.h } : { metric: s.drop ? dropMetadata(s.metric) : s.metric, t, v: s.v }));
        checkUnique(vector.map((s) => s.metric));
        if (!isOrdered(expr)) vector.sort((a, b) => compareLabels(a.metric, b.metric));
        return { type: 'vector', vector };
      }
      case 'matrix': {
        const matrix: RangeSeries[] = v.series.map((s) =>
          s.hs ? { metric: s.metric, ts: slice(s.ts, s.lo, s.hi), vs: slice(s.vs, s.lo, s.hi), hs: sliceAny(s.hs, s.lo, s.hi) } : { metric: s.metric, ts: slice(s.ts, s.lo, s.hi), vs: slice(s.vs, s.lo, s.hi) },
        );
        matrix.sort((a, b) => compareLabels(a.metric, b.metric));
        return { type: 'matrix', matrix };
      }
    }
  }

  private range(ev: Evaluator, expr: Expr, start: number, end: number, step: number): QueryValue {
    const series = new Map<string, Acc>();
    // Label sets usually keep their identity across steps: key them once.
    const keys = new WeakMap<Labels, string>();
    let total = 0;
    for (let t = start; t <= end; t += step) {
      const v = ev.eval(expr, t);
      if (v.type === 'scalar') {
        add(series, [], t, v.v);
        total++;
      } else if (v.type === 'vector') {
        for (const s of v.samples) add(series, s.metric, t, s.v, s.drop, keys, s.h);
        total += v.samples.length;
      } else {
        throw new QueryTypeError(v.type);
      }
      if (total > this.maxSamples) throw new TooManySamplesError();
    }
    const matrix = mergeDropped([...series.values()]);
    matrix.sort((a, b) => compareLabels(a.metric, b.metric));
    return { type: 'matrix', matrix };
  }
}

/** Grown as needed; reads copy out of it at the exact size. */
let scratchTs = new Float64Array(1024);
let scratchVs = new Float64Array(1024);

/** One series' samples in [mint, maxt]; staleness markers dropped for range selectors. Undefined when empty. */
function readSeries(s: Series, mint: number, maxt: number, dropStale: boolean): LoadedSeries | undefined {
  const f = s.floats?.();
  if (f) return floatSeries(s.labels, f.ts, f.vs, mint, maxt, dropStale);
  const it = s.iterator();
  let n = 0;
  let hs: (FloatHistogram | undefined)[] | undefined;
  let ts = scratchTs;
  let vs = scratchVs;
  if (it.seek(mint)) {
    do {
      const t = it.t;
      if (t > maxt) break;
      const h = it.h;
      let v = it.v;
      if (h) {
        // A stale histogram reads as a float stale marker; range selectors never return staleness markers.
        if (isStaleNaN(h.sum)) {
          if (dropStale) continue;
          hs ??= new Array<FloatHistogram | undefined>(n).fill(undefined);
          hs[n] = undefined;
          v = h.sum;
        } else {
          hs ??= new Array<FloatHistogram | undefined>(n).fill(undefined);
          hs[n] = FloatHistogram.from(h);
        }
      } else {
        if (dropStale && v !== v && isStaleNaN(v)) continue;
        if (hs) hs[n] = undefined;
      }
      if (n === ts.length) {
        const nts = new Float64Array(n * 2);
        nts.set(ts);
        ts = scratchTs = nts;
        const nvs = new Float64Array(n * 2);
        nvs.set(vs);
        vs = scratchVs = nvs;
      }
      ts[n] = t;
      vs[n] = v;
      n++;
    } while (it.next());
  }
  if (n === 0) return undefined;
  const out: LoadedSeries = { metric: s.labels, ts: ts.slice(0, n), vs: vs.slice(0, n) };
  if (hs) out.hs = hs;
  return out;
}

/** {@link readSeries} over a storage's arrays: views when no staleness marker has to go, else one filtered copy. */
function floatSeries(metric: Labels, ts: Float64Array, vs: Float64Array, mint: number, maxt: number, dropStale: boolean): LoadedSeries | undefined {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi && ts[lo]! < mint) lo++;
  while (hi > lo && ts[hi - 1]! > maxt) hi--;
  if (lo === hi) return undefined;
  let stale = -1;
  if (dropStale) {
    for (let i = lo; i < hi; i++) {
      const v = vs[i]!;
      if (v !== v && isStaleNaN(v)) {
        stale = i;
        break;
      }
    }
  }
  if (stale < 0) return { metric, ts: ts.subarray(lo, hi), vs: vs.subarray(lo, hi) };
  const ots = new Float64Array(hi - lo);
  const ovs = new Float64Array(hi - lo);
  let n = 0;
  for (let i = lo; i < hi; i++) {
    const v = vs[i]!;
    if (i >= stale && v !== v && isStaleNaN(v)) continue;
    ots[n] = ts[i]!;
    ovs[n++] = v;
  }
  if (n === 0) return undefined;
  return { metric, ts: ots.subarray(0, n), vs: ovs.subarray(0, n) };
}

/** Fills in range/step/offset values whose duration expressions use step() or range(). */
function resolveDurations(e: Expr, ctx: DurationContext): void {
  const ms = (d: DurationExpr) => Math.round(evalDuration(d, ctx) * 1000);
  switch (e.kind) {
    case 'vector':
      if (e.offsetExpr) e.offset = ms(e.offsetExpr);
      return;
    case 'matrix':
      if (e.rangeExpr) e.range = ms(e.rangeExpr);
      resolveDurations(e.vs, ctx);
      return;
    case 'subquery':
      if (e.rangeExpr) e.range = ms(e.rangeExpr);
      if (e.stepExpr) e.step = ms(e.stepExpr);
      if (e.offsetExpr) e.offset = ms(e.offsetExpr);
      resolveDurations(e.expr, ctx);
      return;
    case 'call':
      if (e.func === 'info' && !e.infoSelector) e.infoSelector = infoSelector(e);
      for (const a of e.args) resolveDurations(a, ctx);
      return;
    case 'aggregate':
      resolveDurations(e.expr, ctx);
      if (e.param) resolveDurations(e.param, ctx);
      return;
    case 'binary':
      resolveDurations(e.lhs, ctx);
      resolveDurations(e.rhs, ctx);
      return;
    case 'paren':
    case 'unary':
      resolveDurations(e.expr, ctx);
      return;
    default:
      return;
  }
}

/** Range queries must evaluate to a scalar or instant vector. */
class QueryTypeError extends Error {}

/**
 * Drops names marked for removal. Series that end up with one label set are
 * merged when their timestamps don't overlap (Prometheus 3 does the same);
 * overlapping ones are an error.
 */
function mergeDropped(list: Acc[]): RangeSeries[] {
  const byKey = new Map<string, Acc>();
  for (const s of list) {
    const metric = s.drop ? dropMetadata(s.metric) : s.metric;
    const k = labelsKey(metric);
    const prev = byKey.get(k);
    if (!prev) {
      byKey.set(k, { metric, ts: s.ts, vs: s.vs, hs: s.hs });
      continue;
    }
    const pts = prev.ts.map((t, i) => [t, prev.vs[i]!, prev.hs?.[i]] as [number, number, FloatHistogram | undefined]);
    const seen = new Set(prev.ts);
    for (let i = 0; i < s.ts.length; i++) {
      if (seen.has(s.ts[i]!)) throw new PromQLExecError('vector cannot contain metrics with the same labelset');
      pts.push([s.ts[i]!, s.vs[i]!, s.hs?.[i]]);
    }
    pts.sort((a, b) => a[0] - b[0]);
    const hasH = pts.some((p) => p[2]);
    byKey.set(k, { metric, ts: pts.map((p) => p[0]), vs: pts.map((p) => p[1]), hs: hasH ? pts.map((p) => p[2]) : undefined });
  }
  return [...byKey.values()].map((s) => (s.hs ? { metric: s.metric, ts: s.ts, vs: s.vs, hs: s.hs } : { metric: s.metric, ts: s.ts, vs: s.vs }));
}

/** After names are dropped, two results with one label set are an error, as in Prometheus. */
function checkUnique(metrics: Labels[]): void {
  if (metrics.length < 2) return;
  const seen = new Set<string>();
  for (const m of metrics) {
    const k = labelsKey(m);
    if (seen.has(k)) throw new PromQLExecError('vector cannot contain metrics with the same labelset');
    seen.add(k);
  }
}

interface Acc {
  metric: Labels;
  ts: number[];
  vs: number[];
  hs?: (FloatHistogram | undefined)[];
  drop?: boolean;
}

function add(m: Map<string, Acc>, metric: Labels, t: number, v: number, drop?: boolean, keys?: WeakMap<Labels, string>, h?: FloatHistogram): void {
  let k = keys?.get(metric);
  if (k === undefined) {
    k = labelsKey(metric);
    keys?.set(metric, k);
  }
  let s = m.get(k);
  if (!s) m.set(k, (s = { metric, ts: [], vs: [], drop }));
  else if (drop) s.drop = true;
  if (h && !s.hs) s.hs = new Array<FloatHistogram | undefined>(s.ts.length).fill(undefined);
  if (s.hs) s.hs.push(h);
  s.ts.push(t);
  s.vs.push(v);
}

function isOrdered(e: Expr): boolean {
  while (e.kind === 'paren') e = e.expr;
  // topk/bottomk return each group's samples best first; Prometheus keeps that order.
  if (e.kind === 'aggregate' && (e.op === 'topk' || e.op === 'bottomk')) return true;
  return e.kind === 'call' && ORDERED_ROOTS.has(e.func);
}
