import { labelsKey, type Labels, isLegacyLabelName } from '@vigil/core';
import type { Aggregate, AtModifier, Call, Expr, MatrixSelector, Subquery, VectorSelector } from '../parser/ast.ts';
import { FusedAggregation, fusedSource, instantReader, rangeReader, type FusedSource } from './fused-aggregate.ts';
import { PromQLExecError, QueryCanceledError, QueryTimeoutError, TooManySamplesError } from '../errors.ts';
import { INDEXED_FUNCTIONS, RANGE_FUNCTIONS, type RangeFn, type Window } from '../functions/range-functions.ts';

const EMPTY = new Float64Array(0);
const NO_ARGS: number[] = [];
import { ELEMENT_FUNCTIONS, DATE_FUNCTIONS } from '../functions/instant-functions.ts';
import { bucketFraction, bucketQuantile, type Bucket } from '../functions/histogram.ts';
import { aggregate, keepBest } from './aggregate.ts';
import { labelJoin, labelReplace, sortByLabels, sortByValue } from '../functions/label-functions.ts';
import { formatOpenMetricsLikeGo } from './format.ts';
import { isComparison, scalarBinop, setBinop, vectorBinop, vectorScalarBinop } from './binary.ts';
import { groupLabels, setLabel } from './grouping.ts';
import { sampleAt, samplesIn, upperBound } from './series-ops.ts';
import { extendedSeq, extendedValue, smoothedAt } from './extended-range.ts';
import { enrich, referenceTime } from './info.ts';
import type { EvalValue, LoadedSeries, MSeries, VSample } from './value.ts';
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import { aggregateWithHistograms } from './aggregate-histograms.ts';
import { nativeFraction, nativeQuantile, nativeVariance, rangeWithHistograms, type Annotator } from '../functions/histogram-functions.ts';

export interface EvalContext {
  /** Query start and end (ms), for `@ start()` / `@ end()`. */
  start: number;
  end: number;
  /** Range-query step (ms); 0 for instant queries. */
  step: number;
  lookback: number;
  /** Step of subqueries written without one (`x[1h:]`), ms. */
  defaultSubqueryStep: number;
  loaded: Map<VectorSelector, LoadedSeries[]>;
  deadline: number;
  signal: AbortSignal | undefined;
  maxSamples: number;
  /**
   * Annotations by text, each with the start offset of the sub-expression
   * that caused it; a repeated text keeps the last position (as upstream).
   */
  warnings: Map<string, number>;
  infos: Map<string, number>;
}

/** Functions whose output keeps `__name__` (promql/engine.go). */
const KEEPS_NAME = new Set(['last_over_time', 'first_over_time', 'sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc', 'label_replace', 'label_join', 'limitk']);

/**
 * Evaluates an expression at one timestamp. Range queries call it once per
 * step; subquery results are memoised per node and time so overlapping
 * windows are evaluated once.
 */
export class Evaluator {
  private readonly subqueryCache = new Map<Subquery, Map<number, EvalValue>>();
  /** Per label set: its metric name when it doesn't look like a counter, else ''. Checked once, not per step. */
  private readonly nonCounterNames = new WeakMap<Labels, string>();
  /** Per aggregation node: label set → its group, reused across steps. */
  private readonly groupCaches = new Map<Expr, WeakMap<Labels, { metric: Labels; key: string }>>();
  private checks = 0;
  /** Per range-function call: its values at every step of a range query, or null when not tabulated. */
  private readonly rangeTables = new Map<Call, { values: Float64Array; present: Uint8Array } | null>();
  /** Group index of each series of a topk/bottomk over a range table. */
  private readonly topkGroups = new Map<Aggregate, { list: LoadedSeries[]; groupOf: Int32Array; groups: number }>();
  /** Per aggregation node: its fused plan, or null when it can't be fused. */
  private readonly fusedPlans = new Map<Aggregate, { src: FusedSource; agg: FusedAggregation; onCounterValue?: (s: LoadedSeries) => void; table?: VSample[][] | null } | null>();

  constructor(private readonly ctx: EvalContext) {}

  private checkDeadline(): void {
    if ((++this.checks & 63) !== 0) return;
    if (this.ctx.signal?.aborted) throw new QueryCanceledError();
    if (performance.now() > this.ctx.deadline) throw new QueryTimeoutError();
  }

  private refTime(at: AtModifier | undefined, t: number): number {
    if (!at) return t;
    if (at.type === 'start') return this.ctx.start;
    if (at.type === 'end') return this.ctx.end;
    return at.t;
  }

  eval(e: Expr, t: number): EvalValue {
    this.checkDeadline();
    switch (e.kind) {
      case 'number':
        return { type: 'scalar', v: e.value };
      case 'string':
        return { type: 'string', s: e.value };
      case 'paren':
        return this.eval(e.expr, t);
      case 'unary': {
        const v = this.eval(e.expr, t);
        if (e.op === '+') return v;
        if (v.type === 'scalar') return { type: 'scalar', v: -v.v };
        if (v.type === 'vector') return { type: 'vector', samples: v.samples.map((s) => (s.h ? { metric: s.metric, v: 0, h: s.h.mul(-1), drop: true } : { metric: s.metric, v: -s.v, drop: true })) };
        throw new PromQLExecError('unary minus on a non-numeric value');
      }
      case 'vector':
        return { type: 'vector', samples: this.selectInstant(e, t) };
      case 'matrix': {
        const ref = this.refTime(e.vs.at, t) - e.vs.offset;
        const series: MSeries[] = [];
        for (const s of this.ctx.loaded.get(e.vs) ?? []) {
          const w = samplesIn(s, ref, e.range);
          if (w.hi > w.lo) series.push(s.hs ? { metric: s.metric, ts: s.ts, vs: s.vs, hs: s.hs, lo: w.lo, hi: w.hi } : { metric: s.metric, ts: s.ts, vs: s.vs, lo: w.lo, hi: w.hi });
        }
        return { type: 'matrix', series };
      }
      case 'subquery':
        return this.evalSubquery(e, t);
      case 'call':
        return this.evalCall(e, t);
      case 'aggregate': {
        const fused = this.fusedAggregate(e, t);
        if (fused) return fused;
        if (e.op === 'topk' || e.op === 'bottomk') {
          const top = this.topkFromTable(e, t);
          if (top) return top;
        }
        const inner = this.eval(e.expr, t);
        if (inner.type !== 'vector') throw new PromQLExecError('aggregation over a non-vector');
        let param: number | string | undefined;
        if (e.param) {
          const p = this.eval(e.param, t);
          param = p.type === 'scalar' ? p.v : p.type === 'string' ? p.s : undefined;
          if (e.op === 'count_values' && typeof param === 'string' && !isLegacyLabelName(param) && param.length === 0) {
            throw new PromQLExecError(`invalid label name ${JSON.stringify(param)}`);
          }
          if ((e.op === 'topk' || e.op === 'bottomk' || e.op === 'limitk') && Number.isNaN(param)) throw new PromQLExecError('Parameter value is NaN');
          if (e.op === 'limit_ratio' && Number.isNaN(param)) throw new PromQLExecError('Ratio value is NaN');
          if (e.op === 'limit_ratio' && typeof param === 'number' && (param < -1 || param > 1)) {
            const to = param < -1 ? -1 : 1;
            this.annotate(this.ctx.warnings, `PromQL warning: ratio value should be between -1 and 1, got ${formatOpenMetricsLikeGo(param)}, capping to ${to}`, e.param.pos.start);
            param = to;
          }
          if (e.op === 'quantile' && typeof param === 'number' && !(param >= 0 && param <= 1)) {
            this.annotate(this.ctx.warnings, `PromQL warning: quantile value should be between 0 and 1, got ${param}`, e.param.pos.start);
          }
        }
        let cache = this.groupCaches.get(e);
        if (!cache) this.groupCaches.set(e, (cache = new WeakMap()));
        if (inner.samples.some((s) => s.h)) {
          const pos = e.expr.pos.start;
          const out = aggregateWithHistograms(e.op, inner.samples, e.grouping, e.without, param, {
            warn: (text) => this.annotate(this.ctx.warnings, text, pos),
            info: (text) => this.annotate(this.ctx.infos, text, pos),
          });
          return { type: 'vector', samples: out };
        }
        const { out } = aggregate(e.op, inner.samples, e.grouping, e.without, param, cache);
        return { type: 'vector', samples: out };
      }
      case 'binary':
        return this.evalBinary(e, t);
    }
  }

  /**
   * `sum by (…) (rate(x[5m]))` and the like straight from the loaded series:
   * group ids computed once per series, no intermediate vector per step.
   */
  private fusedAggregate(e: Aggregate, t: number): EvalValue | undefined {
    let plan = this.fusedPlans.get(e);
    if (plan === null) return undefined;
    if (plan === undefined) {
      const src = fusedSource(e, KEEPS_NAME);
      const list = src && this.ctx.loaded.get(src.kind === 'instant' ? src.sel : src.sel.vs);
      if (!src || !list || list.some((s) => s.hs)) {
        this.fusedPlans.set(e, null);
        return undefined;
      }
      let onCounterValue: ((s: LoadedSeries) => void) | undefined;
      if (src.kind === 'range' && src.counterCheck && list.some((s) => nonCounterName(s.metric))) {
        const call = unwrap(e.expr) as Call;
        onCounterValue = (s) => this.checkCounterName(s.metric, call.args[0]!.pos.start);
      }
      plan = { src, agg: new FusedAggregation(e.op, list, e.grouping, e.without), onCounterValue };
      this.fusedPlans.set(e, plan);
    }
    const { src, agg } = plan;
    // Range queries on their step grid: every step at once, series by series.
    const ctx = this.ctx;
    if (ctx.step > 0 && plan.table !== null) {
      const k = (t - ctx.start) / ctx.step;
      const steps = Math.floor((ctx.end - ctx.start) / ctx.step) + 1;
      if (Number.isInteger(k) && k >= 0 && k < steps) {
        if (!plan.table) {
          if (!agg.fitsTable(steps)) plan.table = null;
          else {
            const n = agg.size;
            const gridT = (k: number) => ctx.start + k * ctx.step;
            const read =
              src.kind === 'instant'
                ? instantReader(n, (k) => this.refTime(src.sel.at, gridT(k)) - src.sel.offset, ctx.lookback)
                : rangeReader(n, src.fn, src.sel.range, (k) => this.refTime(src.sel.vs.at, gridT(k)) - src.sel.vs.offset, gridT, plan.onCounterValue);
            plan.table = agg.table(steps, read, src.kind === 'range' && !src.keepName);
          }
        }
        if (plan.table) return { type: 'vector', samples: plan.table[k]! };
      }
    }
    if (src.kind === 'instant') return { type: 'vector', samples: agg.instant(this.refTime(src.sel.at, t) - src.sel.offset, this.ctx.lookback) };
    const end = this.refTime(src.sel.vs.at, t) - src.sel.vs.offset;
    return { type: 'vector', samples: agg.range(src.fn, end - src.sel.range, end, t, !src.keepName, plan.onCounterValue) };
  }

  private selectInstant(e: VectorSelector, t: number): VSample[] {
    const ref = this.refTime(e.at, t) - e.offset;
    const out: VSample[] = [];
    for (const s of this.ctx.loaded.get(e) ?? []) {
      const p: { t: number; v: number; h?: FloatHistogram } | undefined = e.extended === 'smoothed' ? smoothedAt(s, ref, this.ctx.lookback) : sampleAt(s, ref, this.ctx.lookback);
      if (p) out.push(p.h ? { metric: s.metric, v: 0, h: p.h, t: p.t } : { metric: s.metric, v: p.v, t: p.t });
    }
    return out;
  }

  private evalSubquery(e: Subquery, t: number): EvalValue {
    const ref = this.refTime(e.at, t) - e.offset;
    const step = e.step || this.ctx.defaultSubqueryStep;
    const from = ref - e.range;
    let first = step * Math.trunc(from / step);
    if (first <= from) first += step;
    let cache = this.subqueryCache.get(e);
    if (!cache) this.subqueryCache.set(e, (cache = new Map()));
    const bySeries = new Map<string, MSeries>();
    for (let ts = first; ts <= ref; ts += step) {
      let v = cache.get(ts);
      if (!v) {
        v = this.eval(e.expr, ts);
        cache.set(ts, v);
      }
      if (v.type === 'scalar') this.push(bySeries, [], ts, v.v, false);
      else if (v.type === 'vector') {
        for (const s of v.samples) {
          // Subquery output may skip or repeat the sample with a counter reset: its hints can't be trusted.
          const h = s.h && (s.h.counterResetHint === 'reset' || s.h.counterResetHint === 'not_reset') ? s.h.withHint('unknown') : s.h;
          this.push(bySeries, s.metric, ts, s.v, s.drop ?? false, h);
        }
      }
    }
    return { type: 'matrix', series: [...bySeries.values()] };
  }

  private push(m: Map<string, MSeries>, metric: Labels, t: number, v: number, drop: boolean, h?: FloatHistogram): void {
    const k = labelsKey(metric);
    let s = m.get(k);
    if (!s) m.set(k, (s = { metric, ts: [], vs: [], lo: 0, hi: 0, drop }));
    else if (drop) s.drop = true;
    if (h && !s.hs) s.hs = new Array<FloatHistogram | undefined>(s.ts.length).fill(undefined);
    if (s.hs) (s.hs as (FloatHistogram | undefined)[]).push(h);
    (s.ts as number[]).push(t);
    (s.vs as number[]).push(v);
    s.hi++;
  }

  private evalBinary(e: Expr & { kind: 'binary' }, t: number): EvalValue {
    const l = this.eval(e.lhs, t);
    const r = this.eval(e.rhs, t);
    if (l.type === 'scalar' && r.type === 'scalar') return { type: 'scalar', v: scalarBinop(e.op, l.v, r.v, e.returnBool) };
    if (l.type === 'vector' && r.type === 'vector') {
      if (e.op === 'and' || e.op === 'or' || e.op === 'unless') return { type: 'vector', samples: setBinop(e.op, l.samples, r.samples, e.matching) };
      const out = vectorBinop(e.op, l.samples, r.samples, e.matching, e.returnBool, this.binopAnnotate(e.pos.start));
      return { type: 'vector', samples: out };
    }
    if (l.type === 'vector' && r.type === 'scalar') return { type: 'vector', samples: vectorScalarBinop(e.op, l.samples, r.v, false, e.returnBool, this.binopAnnotate(e.pos.start)) };
    if (l.type === 'scalar' && r.type === 'vector') return { type: 'vector', samples: vectorScalarBinop(e.op, r.samples, l.v, true, e.returnBool, this.binopAnnotate(e.pos.start)) };
    throw new PromQLExecError(`invalid binary operation between ${l.type} and ${r.type}`);
  }

  private binopAnnotate(pos: number): (text: string, warning: boolean) => void {
    return (text, warning) => this.annotate(warning ? this.ctx.warnings : this.ctx.infos, text, pos);
  }

  private annotator(pos: number): Annotator {
    return {
      warn: (text, p) => this.annotate(this.ctx.warnings, text, p ?? pos),
      info: (text, p) => this.annotate(this.ctx.infos, text, p ?? pos),
    };
  }

  private scalarArg(e: Expr, t: number): number {
    const v = this.eval(e, t);
    if (v.type !== 'scalar') throw new PromQLExecError('expected a scalar argument');
    return v.v;
  }

  private stringArg(e: Expr, t: number): string {
    const v = this.eval(e, t);
    if (v.type !== 'string') throw new PromQLExecError('expected a string argument');
    return v.s;
  }

  private vectorArg(e: Expr, t: number): VSample[] {
    const v = this.eval(e, t);
    if (v.type !== 'vector') throw new PromQLExecError('expected an instant vector argument');
    return v.samples;
  }

  private evalCall(e: Call, t: number): EvalValue {
    const f = e.func;
    const rangeFn = RANGE_FUNCTIONS[f];
    if (rangeFn) {
      const matrixIdx = e.args.findIndex((a) => unwrap(a).kind === 'matrix' || unwrap(a).kind === 'subquery');
      const direct = unwrap(e.args[matrixIdx]!);
      if (direct.kind === 'matrix' && direct.vs.extended) return this.extendedRange(e, f, direct, t);
      // Hot path: a range selector feeding an index-aware function reads the loaded series in place.
      if (direct.kind === 'matrix' && INDEXED_FUNCTIONS.has(f) && e.args.length === 1) return this.rangeOverSelector(e, f, rangeFn, direct, t);
      const m = this.eval(e.args[matrixIdx]!, t);
      if (m.type !== 'matrix') throw new PromQLExecError(`expected a range vector in ${f}`);
      const scalars = e.args.filter((_, i) => i !== matrixIdx).map((a) => this.scalarArg(a, t));
      if (f === 'quantile_over_time' && !(scalars[0]! >= 0 && scalars[0]! <= 1)) {
        this.annotate(this.ctx.warnings, `PromQL warning: quantile value should be between 0 and 1, got ${scalars[0]}`, e.args[0]!.pos.start);
      }
      const arg = unwrap(e.args[matrixIdx]!);
      let end: number;
      let range: number;
      if (arg.kind === 'matrix') {
        end = this.refTime(arg.vs.at, t) - arg.vs.offset;
        range = arg.range;
      } else if (arg.kind === 'subquery') {
        end = this.refTime(arg.at, t) - arg.offset;
        range = arg.range;
      } else throw new PromQLExecError(`expected a range vector in ${f}`);
      const keep = KEEPS_NAME.has(f);
      const out: VSample[] = [];
      for (const s of m.series) {
        if (s.hs && hasHistogram(s.hs, s.lo, s.hi)) {
          const r = rangeWithHistograms(f, { ts: s.ts, vs: s.vs, hs: s.hs, lo: s.lo, hi: s.hi, start: end - range, end, evalTs: t }, scalars, metricName(s.metric), e.args[matrixIdx]!.pos.start, this.annotator(e.args[matrixIdx]!.pos.start));
          if (r) out.push(r.h ? { metric: s.metric, v: 0, h: r.h, drop: keep ? s.drop : true } : { metric: s.metric, v: r.v, drop: keep ? s.drop : true });
          continue;
        }
        const indexed = INDEXED_FUNCTIONS.has(f) || (s.lo === 0 && s.hi === s.ts.length);
        const v = rangeFn(
          indexed
            ? { ts: s.ts, vs: s.vs, lo: s.lo, hi: s.hi, start: end - range, end, evalTs: t }
            : { ts: slice(s.ts, s.lo, s.hi), vs: slice(s.vs, s.lo, s.hi), lo: 0, hi: s.hi - s.lo, start: end - range, end, evalTs: t },
          scalars,
        );
        if (v === undefined) continue;
        out.push({ metric: s.metric, v, drop: keep ? s.drop : true });
        if (f === 'rate' || f === 'increase' || f === 'irate') this.checkCounterName(s.metric, e.args[matrixIdx]!.pos.start);
      }
      return { type: 'vector', samples: out };
    }
    if (f === 'absent_over_time') {
      const m = this.eval(e.args[0]!, t);
      if (m.type === 'matrix' && m.series.length > 0) return { type: 'vector', samples: [] };
      return { type: 'vector', samples: [{ metric: absentLabels(e.args[0]!), v: 1 }] };
    }
    const elemFn = ELEMENT_FUNCTIONS[f];
    if (elemFn) {
      const vec = this.vectorArg(e.args[0]!, t);
      const args = e.args.slice(1).map((a) => this.scalarArg(a, t));
      if (f === 'clamp' && args[1]! < args[0]!) return { type: 'vector', samples: [] };
      return { type: 'vector', samples: vec.filter((s) => !s.h).map((s) => ({ metric: s.metric, v: elemFn(s.v, args), drop: true })) };
    }
    const dateFn = DATE_FUNCTIONS[f];
    if (dateFn) {
      const vec: VSample[] = e.args.length ? this.vectorArg(e.args[0]!, t) : [{ metric: [], v: t / 1000 }];
      return { type: 'vector', samples: vec.filter((s) => !s.h).map((s) => ({ metric: s.metric, v: Number.isFinite(s.v) ? dateFn(new Date(s.v * 1000)) : NaN, drop: true })) };
    }
    switch (f) {
      case 'time':
        return { type: 'scalar', v: t / 1000 };
      case 'min_of':
      case 'max_of': {
        const xs = e.args.map((a) => this.scalarArg(a, t));
        // Math.min/max propagate NaN, as the upstream functions do.
        return { type: 'scalar', v: f === 'min_of' ? Math.min(...xs) : Math.max(...xs) };
      }
      case 'histogram_quantiles': {
        const vec = this.vectorArg(e.args[0]!, t);
        const label = this.stringArg(e.args[1]!, t);
        const qs = e.args.slice(2).map((a) => this.scalarArg(a, t));
        const out: VSample[] = [];
        for (let i = 0; i < qs.length; i++) {
          for (const s of this.histogramQuantile(qs[i]!, vec, e.args[2 + i]!.pos.start, e.args[0]!.pos.start)) {
            out.push({ metric: setLabel(s.metric, label, formatQuantileLabel(qs[i]!)), v: s.v, drop: true });
          }
        }
        return { type: 'vector', samples: this.checkDuplicates(out) };
      }
      case 'start':
        return { type: 'scalar', v: this.ctx.start / 1000 };
      case 'end':
        return { type: 'scalar', v: this.ctx.end / 1000 };
      case 'range':
        return { type: 'scalar', v: (this.ctx.end - this.ctx.start) / 1000 };
      case 'step':
        return { type: 'scalar', v: this.ctx.step / 1000 };
      case 'pi':
        return { type: 'scalar', v: Math.PI };
      case 'vector':
        return { type: 'vector', samples: [{ metric: [], v: this.scalarArg(e.args[0]!, t) }] };
      case 'scalar': {
        const vec = this.vectorArg(e.args[0]!, t);
        return { type: 'scalar', v: vec.length === 1 ? vec[0]!.v : NaN };
      }
      case 'timestamp': {
        const vec = this.vectorArg(e.args[0]!, t);
        return { type: 'vector', samples: vec.map((s) => ({ metric: s.metric, v: (s.t ?? t) / 1000, drop: true })) };
      }
      case 'absent': {
        const vec = this.vectorArg(e.args[0]!, t);
        if (vec.length > 0) return { type: 'vector', samples: [] };
        return { type: 'vector', samples: [{ metric: absentLabels(e.args[0]!), v: 1 }] };
      }
      case 'sort':
      case 'sort_desc':
        if (this.ctx.step > 0) this.annotate(this.ctx.warnings, 'PromQL warning: sort is ineffective for range queries since results are always ordered by labels', e.pos.start);
        return { type: 'vector', samples: sortByValue(this.vectorArg(e.args[0]!, t), f === 'sort_desc') };
      case 'sort_by_label':
      case 'sort_by_label_desc':
        if (this.ctx.step > 0) this.annotate(this.ctx.warnings, 'PromQL warning: sort is ineffective for range queries since results are always ordered by labels', e.pos.start);
        return { type: 'vector', samples: sortByLabels(this.vectorArg(e.args[0]!, t), e.args.slice(1).map((a) => this.stringArg(a, t)), f === 'sort_by_label_desc') };
      case 'label_replace': {
        const [dst, repl, src, regex] = e.args.slice(1).map((a) => this.stringArg(a, t)) as [string, string, string, string];
        return { type: 'vector', samples: this.checkDuplicates(labelReplace(this.vectorArg(e.args[0]!, t), dst, repl, src, regex)) };
      }
      case 'label_join': {
        const [dst, sep, ...srcs] = e.args.slice(1).map((a) => this.stringArg(a, t)) as [string, string, ...string[]];
        return { type: 'vector', samples: this.checkDuplicates(labelJoin(this.vectorArg(e.args[0]!, t), dst, sep, srcs)) };
      }
      case 'info': {
        const base = this.vectorArg(e.args[0]!, t);
        const refT = referenceTime(e.args[0]!, t, this.ctx.start, this.ctx.end);
        const infos = e.infoSelector ? (this.ctx.loaded.get(e.infoSelector) ?? []) : [];
        return { type: 'vector', samples: this.checkDuplicates(enrich(e, base, infos, refT, this.ctx.lookback)) };
      }
      case 'histogram_fraction': {
        const lower = this.scalarArg(e.args[0]!, t);
        const upper = this.scalarArg(e.args[1]!, t);
        const pos = e.args[2]!.pos.start;
        const { natives, groups } = this.splitHistograms(this.vectorArg(e.args[2]!, t), pos);
        const ann = this.annotator(pos);
        const out: VSample[] = natives.map((s) => ({ metric: s.metric, v: nativeFraction(lower, upper, s.h!, metricName(s.metric), pos, ann), drop: true }));
        for (const g of groups.values()) out.push({ metric: g.metric, v: bucketFraction(lower, upper, g.buckets), drop: true });
        return { type: 'vector', samples: out };
      }
      case 'histogram_count':
      case 'histogram_sum':
      case 'histogram_avg':
      case 'histogram_stddev':
      case 'histogram_stdvar': {
        const vec = this.vectorArg(e.args[0]!, t);
        const out: VSample[] = [];
        for (const s of vec) {
          const h = s.h;
          if (!h) continue;
          let v: number;
          if (f === 'histogram_count') v = h.count;
          else if (f === 'histogram_sum') v = h.sum;
          else if (f === 'histogram_avg') v = h.sum / h.count;
          else {
            v = nativeVariance(h);
            if (f === 'histogram_stddev') v = Math.sqrt(v);
          }
          out.push({ metric: s.metric, v, drop: true });
        }
        return { type: 'vector', samples: out };
      }
      case 'histogram_quantile':
        return { type: 'vector', samples: this.histogramQuantile(this.scalarArg(e.args[0]!, t), this.vectorArg(e.args[1]!, t), e.args[0]!.pos.start, e.args[1]!.pos.start) };
    }
    throw new PromQLExecError(`function "${f}" is not implemented`);
  }

  private histogramQuantile(q: number, vec: VSample[], qPos: number, vPos: number): VSample[] {
    if (Number.isNaN(q) || q < 0 || q > 1) this.annotate(this.ctx.warnings, `PromQL warning: quantile value should be between 0 and 1, got ${q}`, qPos);
    const { natives, groups } = this.splitHistograms(vec, vPos);
    const ann = this.annotator(vPos);
    const out: VSample[] = natives.map((s) => ({ metric: s.metric, v: nativeQuantile(q, s.h!, metricName(s.metric), vPos, ann), drop: true }));
    for (const g of groups.values()) {
      const r = bucketQuantile(q, g.buckets);
      if (r.forcedMonotonic) {
        this.annotate(this.ctx.infos, `PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name ${JSON.stringify(g.name)}`, vPos);
      }
      out.push({ metric: g.metric, v: r.value });
    }
    return out;
  }

  /**
   * Splits histogram_quantile/histogram_fraction input into native
   * histograms and classic bucket groups; a native histogram whose labels
   * equal a classic group's is dropped with the group (with a warning).
   */
  private splitHistograms(vec: VSample[], vPos: number): { natives: VSample[]; groups: Map<string, { metric: Labels; name: string; buckets: Bucket[] }> } {
    const natives = vec.filter((s) => s.h);
    const groups = this.bucketGroups(
      vec.filter((s) => !s.h),
      vPos,
    );
    if (natives.length === 0 || groups.size === 0) return { natives, groups };
    const keep: VSample[] = [];
    for (const s of natives) {
      const k = labelsKey(s.metric.filter((l) => l.name !== '__name__'));
      const g = groups.get(k);
      if (g && g.name === metricName(s.metric)) {
        this.annotate(this.ctx.warnings, `PromQL warning: vector contains a mix of classic and native histograms for metric name ${JSON.stringify(metricName(s.metric))}`, vPos);
        groups.delete(k);
        continue;
      }
      keep.push(s);
    }
    return { natives: keep, groups };
  }

  /** Groups classic-histogram bucket samples by their labels without `le` and `__name__`. */
  private bucketGroups(vec: VSample[], vPos: number): Map<string, { metric: Labels; name: string; buckets: Bucket[] }> {
    const groups = new Map<string, { metric: Labels; name: string; buckets: Bucket[] }>();
    for (const s of vec) {
      const le = s.metric.find((l) => l.name === 'le');
      const ub = le ? parseLe(le.value) : undefined;
      if (ub === undefined) {
        const name = s.metric.find((l) => l.name === '__name__')?.value ?? '';
        this.annotate(this.ctx.warnings, `PromQL warning: bucket label "le" is missing or has a malformed value of ${JSON.stringify(le?.value ?? '')} for metric name ${JSON.stringify(name)}`, vPos);
        continue;
      }
      const metric = s.metric.filter((l) => l.name !== 'le' && l.name !== '__name__');
      const key = labelsKey(metric);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { metric, name: s.metric.find((l) => l.name === '__name__')?.value ?? '', buckets: [] }));
      g.buckets.push({ upperBound: ub, count: s.v });
    }
    return groups;
  }

  /** rate/increase/irate straight over a range selector: one reused window, no per-step series copies. */
  private rangeOverSelector(e: Call, f: string, rangeFn: RangeFn, sel: MatrixSelector, t: number): EvalValue {
    const fromTable = this.rangeFromTable(e, f, rangeFn, sel, t);
    if (fromTable) return fromTable;
    const end = this.refTime(sel.vs.at, t) - sel.vs.offset;
    const start = end - sel.range;
    const keep = KEEPS_NAME.has(f);
    const counterCheck = f === 'rate' || f === 'increase' || f === 'irate';
    const out: VSample[] = [];
    const w: Window = { ts: EMPTY, vs: EMPTY, lo: 0, hi: 0, start, end, evalTs: t };
    for (const s of this.ctx.loaded.get(sel.vs) ?? []) {
      const lo = upperBound(s.ts, start);
      const hi = upperBound(s.ts, end);
      if (hi <= lo) continue;
      if (s.hs && hasHistogram(s.hs, lo, hi)) {
        const r = rangeWithHistograms(f, { ts: s.ts, vs: s.vs, hs: s.hs, lo, hi, start, end, evalTs: t }, NO_ARGS, metricName(s.metric), e.args[0]!.pos.start, this.annotator(e.args[0]!.pos.start));
        if (r) out.push(r.h ? { metric: s.metric, v: 0, h: r.h, drop: keep ? undefined : true } : { metric: s.metric, v: r.v, drop: keep ? undefined : true });
        continue;
      }
      w.ts = s.ts;
      w.vs = s.vs;
      w.lo = lo;
      w.hi = hi;
      const v = rangeFn(w, NO_ARGS);
      if (v === undefined) continue;
      out.push({ metric: s.metric, v, drop: keep ? undefined : true });
      if (counterCheck) this.checkCounterName(s.metric, e.args[0]!.pos.start);
    }
    return { type: 'vector', samples: out };
  }

  /**
   * A range query's steps of `f(sel[r])`, computed series by series on the
   * first step (each series' samples read in order) and handed out per step.
   */
  private rangeFromTable(e: Call, f: string, rangeFn: RangeFn, sel: MatrixSelector, t: number): EvalValue | undefined {
    const r = this.rangeTable(e, f, rangeFn, sel, t);
    if (!r) return undefined;
    const { list, tab, base } = r;
    const drop = KEEPS_NAME.has(f) ? undefined : true;
    const out: VSample[] = [];
    for (let i = 0; i < list.length; i++) {
      if (tab.present[base + i]) out.push({ metric: list[i]!.metric, v: tab.values[base + i]!, drop });
    }
    return { type: 'vector', samples: out };
  }

  /**
   * The table of `f(sel[r])` over every step of a range query (built on first
   * use) and the offset of step t's row, or undefined when the table does not
   * apply (an instant query, t off the grid, histograms, too big).
   */
  private rangeTable(e: Call, f: string, rangeFn: RangeFn, sel: MatrixSelector, t: number): { list: LoadedSeries[]; tab: { values: Float64Array; present: Uint8Array }; base: number } | undefined {
    const ctx = this.ctx;
    if (ctx.step <= 0) return undefined;
    const k = (t - ctx.start) / ctx.step;
    const steps = Math.floor((ctx.end - ctx.start) / ctx.step) + 1;
    if (!Number.isInteger(k) || k < 0 || k >= steps) return undefined;
    let tab = this.rangeTables.get(e);
    if (tab === null) return undefined;
    const list = ctx.loaded.get(sel.vs) ?? [];
    if (!tab) {
      if (list.length * steps > 20_000_000 || list.some((s) => s.hs)) {
        this.rangeTables.set(e, null);
        return undefined;
      }
      const pos = e.args[0]!.pos.start;
      const onValue = (f === 'rate' || f === 'increase' || f === 'irate') && list.some((s) => nonCounterName(s.metric)) ? (s: LoadedSeries) => this.checkCounterName(s.metric, pos) : undefined;
      const gridT = (k: number) => ctx.start + k * ctx.step;
      const read = rangeReader(list.length, rangeFn, sel.range, (k) => this.refTime(sel.vs.at, gridT(k)) - sel.vs.offset, gridT, onValue);
      const values = new Float64Array(list.length * steps);
      const present = new Uint8Array(list.length * steps);
      for (let i = 0; i < list.length; i++) {
        const s = list[i]!;
        for (let j = 0; j < steps; j++) {
          const x = read(s, i, j);
          if (x === undefined) continue;
          values[j * list.length + i] = x;
          present[j * list.length + i] = 1;
        }
      }
      this.rangeTables.set(e, (tab = { values, present }));
    }
    return { list, tab, base: k * list.length };
  }

  /**
   * `topk`/`bottomk(k, f(sel[r]))` in a range query straight from the range
   * table: each group keeps its best k series in a buffer and only those
   * become samples (the same stable choice as {@link aggregate}, which
   * would get every series of the step as a sample first).
   */
  private topkFromTable(e: Aggregate, t: number): EvalValue | undefined {
    const call = unwrap(e.expr);
    if (call.kind !== 'call' || call.args.length !== 1 || !INDEXED_FUNCTIONS.has(call.func)) return undefined;
    const rangeFn = RANGE_FUNCTIONS[call.func];
    const sel = unwrap(call.args[0]!);
    if (!rangeFn || sel.kind !== 'matrix' || sel.vs.extended) return undefined;
    if (!e.param || unwrap(e.param).kind !== 'number') return undefined;
    const p = this.eval(e.param, t);
    if (p.type !== 'scalar') return undefined;
    if (Number.isNaN(p.v)) throw new PromQLExecError('Parameter value is NaN');
    const k = Math.floor(p.v);
    if (k > 64) return undefined;
    const r = this.rangeTable(call, call.func, rangeFn, sel, t);
    if (!r) return undefined;
    const { list, tab, base } = r;
    const out: VSample[] = [];
    if (!(k >= 1)) return { type: 'vector', samples: out };
    let plan = this.topkGroups.get(e);
    if (!plan || plan.list !== list) {
      const ids = new Map<string, number>();
      const groupOf = new Int32Array(list.length);
      for (let i = 0; i < list.length; i++) {
        const key = labelsKey(groupLabels(list[i]!.metric, e.grouping, e.without));
        let g = ids.get(key);
        if (g === undefined) ids.set(key, (g = ids.size));
        groupOf[i] = g;
      }
      this.topkGroups.set(e, (plan = { list, groupOf, groups: ids.size }));
    }
    const desc = e.op === 'topk';
    const { groupOf } = plan;
    // Per group: its best series (indices), best first; groups in first-seen order.
    const best = new Map<number, number[]>();
    const values = tab.values;
    const valueOf = (i: number) => values[base + i]!;
    for (let i = 0; i < list.length; i++) {
      if (!tab.present[base + i]) continue;
      const g = groupOf[i]!;
      let buf = best.get(g);
      if (!buf) best.set(g, (buf = []));
      keepBest(buf, k, i, values[base + i]!, valueOf, desc);
    }
    const drop = KEEPS_NAME.has(call.func) ? undefined : true;
    for (const buf of best.values()) for (const i of buf) out.push({ metric: list[i]!.metric, v: values[base + i]!, drop });
    return { type: 'vector', samples: out };
  }

  /** rate/increase/delta/changes/resets over an `anchored` or `smoothed` range selector. */
  private extendedRange(e: Call, f: string, sel: MatrixSelector, t: number): EvalValue {
    const end = this.refTime(sel.vs.at, t) - sel.vs.offset;
    const start = end - sel.range;
    const counter = f === 'rate' || f === 'increase' || f === 'resets';
    const out: VSample[] = [];
    for (const s of this.ctx.loaded.get(sel.vs) ?? []) {
      const seq = extendedSeq(s, start, end, this.ctx.lookback, sel.vs.extended!, counter);
      if (!seq) continue;
      out.push({ metric: s.metric, v: extendedValue(f, seq, sel.range), drop: true });
      if (f === 'rate' || f === 'increase') this.checkCounterName(s.metric, e.args[0]!.pos.start);
    }
    return { type: 'vector', samples: out };
  }

  /** The "might not be a counter" info, decided once per label set. */
  private checkCounterName(metric: Labels, pos: number): void {
    if (!metric.length) return;
    let name = this.nonCounterNames.get(metric);
    if (name === undefined) {
      name = nonCounterName(metric);
      this.nonCounterNames.set(metric, name);
    }
    if (name) this.annotate(this.ctx.infos, `PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${JSON.stringify(name)}`, pos);
  }

  private annotate(into: Map<string, number>, text: string, pos: number): void {
    into.delete(text);
    into.set(text, pos);
  }

  /** Prometheus refuses a step result with two identical label sets (e.g. after dropping `__name__`). */
  private checkDuplicates(vec: VSample[]): VSample[] {
    if (vec.length < 2) return vec;
    const seen = new Set<string>();
    for (const s of vec) {
      const k = labelsKey(s.metric);
      if (seen.has(k)) throw new PromQLExecError('vector cannot contain metrics with the same labelset');
      seen.add(k);
    }
    if (vec.length > this.ctx.maxSamples) throw new TooManySamplesError();
    return vec;
  }
}

/** Whether [lo, hi) of a histogram column holds a histogram. */
function hasHistogram(hs: ArrayLike<FloatHistogram | undefined>, lo: number, hi: number): boolean {
  for (let i = lo; i < hi; i++) if (hs[i]) return true;
  return false;
}

/** The metric name when it doesn't look like a counter's, else ''. */
function nonCounterName(metric: Labels): string {
  const n = metric.find((l) => l.name === '__name__')?.value ?? '';
  return n && !/_total$|_sum$|_count$|_bucket$/.test(n) ? n : '';
}

function metricName(ls: Labels): string {
  return ls.find((l) => l.name === '__name__')?.value ?? '';
}

/** A copy of [lo, hi) of any array-like. */
export function sliceAny<T>(a: ArrayLike<T>, lo: number, hi: number): T[] {
  const out = new Array<T>(hi - lo);
  for (let i = lo; i < hi; i++) out[i - lo] = a[i]!;
  return out;
}

/** A copy of [lo, hi) for functions that read whole arrays. */
export function slice(a: ArrayLike<number>, lo: number, hi: number): number[] {
  const out = new Array<number>(hi - lo);
  for (let i = lo; i < hi; i++) out[i - lo] = a[i]!;
  return out;
}

/** Quantile label values as Prometheus 3 writes float labels: `0.0`, `0.25`, `1.0`. */
function formatQuantileLabel(q: number): string {
  const s = formatOpenMetricsLikeGo(q);
  return Number.isFinite(q) && !/[.eE]/.test(s) ? `${s}.0` : s;
}

/** Strips parentheses: `rate((x[5m]))` reads the same range as `rate(x[5m])`. */
function unwrap(e: Expr): Expr {
  while (e.kind === 'paren') e = e.expr;
  return e;
}

function parseLe(s: string): number | undefined {
  const t = s.trim();
  if (t === '+Inf' || t === 'Inf' || t === '+inf' || t === 'inf') return Infinity;
  if (t === '-Inf' || t === '-inf') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** Labels of absent()'s output: the selector's equality matchers, except `__name__` and labels matched twice. */
function absentLabels(arg: Expr): Labels {
  const vs = arg.kind === 'vector' ? arg : arg.kind === 'matrix' ? arg.vs : undefined;
  if (!vs) return [];
  const counts = new Map<string, number>();
  for (const m of vs.matchers) counts.set(m.name, (counts.get(m.name) ?? 0) + 1);
  const out: Array<{ name: string; value: string }> = [];
  for (const m of vs.matchers) {
    if (m.type === '=' && m.name !== '__name__' && counts.get(m.name) === 1) out.push({ name: m.name, value: m.value });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export { isComparison };
