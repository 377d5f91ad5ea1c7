import { labelsKey, type Labels } from '@vigil/core';
import { isStaleNaN } from '../../storage/index.ts';
import type { Aggregate, Expr, MatrixSelector, VectorSelector } from '../parser/ast.ts';
import { INDEXED_FUNCTIONS, RANGE_FUNCTIONS, nextResets, type RangeFn, type Window } from '../functions/range-functions.ts';
import { groupLabels } from './grouping.ts';
import type { LoadedSeries, VSample } from './value.ts';

/** Aggregations computed with per-group accumulators (aggregate.ts `aggregateStreaming`). */
const FUSABLE_OPS: ReadonlySet<string> = new Set(['sum', 'count', 'group', 'min', 'max', 'avg']);
const NO_ARGS: number[] = [];
const EMPTY = new Float64Array(0);

/** What a fused aggregation reads: a plain selector, or an index-aware range function over a range selector. */
export type FusedSource = { kind: 'instant'; sel: VectorSelector } | { kind: 'range'; sel: MatrixSelector; func: string; fn: RangeFn; keepName: boolean; counterCheck: boolean };

function unwrap(e: Expr): Expr {
  while (e.kind === 'paren') e = e.expr;
  return e;
}

/**
 * Whether `sum|count|group|min|max|avg [by|without (…)] (inner)` can skip the
 * intermediate instant vector: `inner` is a selector or `f(sel[r])` with an
 * index-aware range function, without extended range modifiers.
 */
export function fusedSource(e: Aggregate, keepsName: ReadonlySet<string>): FusedSource | undefined {
  if (!FUSABLE_OPS.has(e.op) || e.param) return undefined;
  const inner = unwrap(e.expr);
  if (inner.kind === 'vector') return inner.extended ? undefined : { kind: 'instant', sel: inner };
  if (inner.kind !== 'call' || inner.args.length !== 1 || !INDEXED_FUNCTIONS.has(inner.func)) return undefined;
  const fn = RANGE_FUNCTIONS[inner.func];
  const arg = unwrap(inner.args[0]!);
  if (!fn || arg.kind !== 'matrix' || arg.vs.extended) return undefined;
  const f = inner.func;
  return { kind: 'range', sel: arg, func: f, fn, keepName: keepsName.has(f), counterCheck: f === 'rate' || f === 'increase' || f === 'irate' };
}

/** Group ids of a list of loaded series, by grouping: rules of a group share selector reads, and often the grouping too. */
const groupings = new WeakMap<readonly LoadedSeries[], Map<string, { groupOf: Int32Array; groups: Labels[] }>>();

function groupsOf(list: readonly LoadedSeries[], grouping: string[], without: boolean): { groupOf: Int32Array; groups: Labels[] } {
  let byKey = groupings.get(list);
  if (!byKey) groupings.set(list, (byKey = new Map()));
  const key = `${without ? '-' : '+'}${grouping.join('\xff')}`;
  let r = byKey.get(key);
  if (r) return r;
  const ids = new Map<string, number>();
  const groupOf = new Int32Array(list.length);
  const groups: Labels[] = [];
  for (let i = 0; i < list.length; i++) {
    const metric = groupLabels(list[i]!.metric, grouping, without);
    const k = labelsKey(metric);
    let g = ids.get(k);
    if (g === undefined) {
      g = groups.length;
      ids.set(k, g);
      groups.push(metric);
    }
    groupOf[i] = g;
  }
  byKey.set(key, (r = { groupOf, groups }));
  return r;
}

/**
 * Per aggregation node: the loaded series' group ids and accumulators,
 * computed once and reused by every step. Only for float-only series.
 */
export class FusedAggregation {
  private readonly groupOf: Int32Array;
  private readonly groups: Labels[];
  /** Per series, the cursor of its window end (and start) into ts: steps usually move forward. */
  private readonly hiAt: Int32Array;
  private readonly loAt: Int32Array;
  private readonly v: Float64Array;
  private readonly c: Float64Array;
  private readonly mean: Float64Array;
  private readonly n: Int32Array;
  private readonly incremental: Uint8Array;
  private readonly order: Int32Array;
  private readonly w: Window = { ts: EMPTY, vs: EMPTY, lo: 0, hi: 0, start: 0, end: 0, evalTs: 0 };

  constructor(
    private readonly op: string,
    private readonly list: readonly LoadedSeries[],
    grouping: string[],
    without: boolean,
  ) {
    const grouped = groupsOf(list, grouping, without);
    this.groupOf = grouped.groupOf;
    this.groups = grouped.groups;
    const ng = this.groups.length;
    this.v = new Float64Array(ng);
    this.c = new Float64Array(ng);
    this.mean = new Float64Array(ng);
    this.n = new Int32Array(ng);
    this.incremental = new Uint8Array(ng);
    this.order = new Int32Array(ng);
    this.hiAt = new Int32Array(list.length);
    this.loAt = new Int32Array(list.length);
  }

  /** Whether the plan was built for this list of series (the same array for the whole query). */
  isFor(list: readonly LoadedSeries[]): boolean {
    return list === this.list;
  }

  /** Number of series. */
  get size(): number {
    return this.list.length;
  }

  /** Whether a table of `steps` steps stays within a sane size. */
  fitsTable(steps: number): boolean {
    return steps * this.groups.length <= 4_000_000;
  }

  /**
   * Every step of a range query at once, series by series (each series'
   * samples read in order, as Prometheus evaluates range functions); `read`
   * gives series i's value at step k, or undefined. Per-cell accumulation
   * order is the series order, as in the step-by-step path, so results are
   * identical. Returns one vector per step.
   */
  table(steps: number, read: (s: LoadedSeries, i: number, k: number) => number | undefined, drop: boolean): VSample[][] {
    const ng = this.groups.length;
    const cells = steps * ng;
    const v = new Float64Array(cells);
    const c = new Float64Array(cells);
    const n = new Int32Array(cells);
    const first = new Int32Array(cells);
    let mean: Float64Array | undefined;
    let incremental: Uint8Array | undefined;
    if (this.op === 'avg') {
      mean = new Float64Array(cells);
      incremental = new Uint8Array(cells);
    }
    const op = this.op;
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      const g = this.groupOf[i]!;
      for (let k = 0; k < steps; k++) {
        const x = read(s, i, k);
        if (x === undefined) continue;
        const cell = k * ng + g;
        const cnt = ++n[cell]!;
        if (cnt === 1) {
          v[cell] = x;
          first[cell] = i;
          continue;
        }
        switch (op) {
          case 'sum': {
            const sum = v[cell]!;
            const t = sum + x;
            if (t === Infinity || t === -Infinity) c[cell] = 0;
            else if (Math.abs(sum) >= Math.abs(x)) c[cell] = c[cell]! + (sum - t + x);
            else c[cell] = c[cell]! + (x - t + sum);
            v[cell] = t;
            break;
          }
          case 'min': {
            const a = v[cell]!;
            if (x < a || a !== a) v[cell] = x;
            break;
          }
          case 'max': {
            const a = v[cell]!;
            if (x > a || a !== a) v[cell] = x;
            break;
          }
          case 'avg': {
            if (!incremental![cell]) {
              const sum = v[cell]!;
              const t = sum + x;
              if (t !== Infinity && t !== -Infinity) {
                if (Math.abs(sum) >= Math.abs(x)) c[cell] = c[cell]! + (sum - t + x);
                else c[cell] = c[cell]! + (x - t + sum);
                v[cell] = t;
                break;
              }
              incremental![cell] = 1;
              mean![cell] = sum / (cnt - 1);
              c[cell] = c[cell]! / (cnt - 1);
            }
            const q = (cnt - 1) / cnt;
            const inc = x / cnt;
            const sum = q * mean![cell]!;
            let cc = q * c[cell]!;
            const t = sum + inc;
            if (t === Infinity || t === -Infinity) cc = 0;
            else if (Math.abs(sum) >= Math.abs(inc)) cc += sum - t + inc;
            else cc += inc - t + sum;
            mean![cell] = t;
            c[cell] = cc;
            break;
          }
          default:
            break;
        }
      }
    }
    const out: VSample[][] = new Array(steps);
    const ids: number[] = [];
    for (let k = 0; k < steps; k++) {
      ids.length = 0;
      const base = k * ng;
      let sorted = true;
      let prev = -1;
      for (let g = 0; g < ng; g++) {
        if (n[base + g] === 0) continue;
        const f = first[base + g]!;
        if (f < prev) sorted = false;
        prev = f;
        ids.push(g);
      }
      // Groups in the order their first sample came, as the step-by-step path emits them.
      if (!sorted) ids.sort((a, b) => first[base + a]! - first[base + b]!);
      const row: VSample[] = new Array(ids.length);
      for (let j = 0; j < ids.length; j++) {
        const g = ids[j]!;
        const cell = base + g;
        let x: number;
        switch (op) {
          case 'sum': {
            const a = v[cell]!;
            x = Number.isFinite(a) ? a + c[cell]! : a;
            break;
          }
          case 'count':
            x = n[cell]!;
            break;
          case 'group':
            x = 1;
            break;
          case 'avg':
            x = incremental![cell] ? mean![cell]! + c[cell]! : (v[cell]! + c[cell]!) / n[cell]!;
            break;
          default:
            x = v[cell]!;
        }
        row[j] = { metric: this.groups[g]!, v: x, drop };
      }
      out[k] = row;
    }
    return out;
  }

  /** One step over an instant selector: the newest sample in (ref − lookback, ref], unless stale. */
  instant(ref: number, lookback: number): VSample[] {
    this.n.fill(0);
    let groupsSeen = 0;
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      const hi = (this.hiAt[i] = advance(s.ts, ref, this.hiAt[i]!));
      if (hi === 0) continue;
      if (s.ts[hi - 1]! <= ref - lookback) continue;
      const x = s.vs[hi - 1]!;
      if (x !== x && isStaleNaN(x)) continue;
      if (this.add(this.groupOf[i]!, x)) this.order[groupsSeen++] = this.groupOf[i]!;
    }
    return this.output(groupsSeen, false);
  }

  /** One step over `f(sel[range])` with the window (start, end]. */
  range(fn: RangeFn, start: number, end: number, evalTs: number, dropName: boolean, onCounterValue?: (s: LoadedSeries) => void): VSample[] {
    this.n.fill(0);
    let groupsSeen = 0;
    const list = this.list;
    const w = this.w;
    w.start = start;
    w.end = end;
    w.evalTs = evalTs;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      const lo = (this.loAt[i] = advance(s.ts, start, this.loAt[i]!));
      const hi = (this.hiAt[i] = advance(s.ts, end, this.hiAt[i]!));
      if (hi <= lo) continue;
      w.ts = s.ts;
      w.vs = s.vs;
      w.lo = lo;
      w.hi = hi;
      const x = fn(w, NO_ARGS);
      if (x === undefined) continue;
      const g = this.groupOf[i]!;
      if (this.add(g, x)) this.order[groupsSeen++] = g;
      onCounterValue?.(s);
    }
    return this.output(groupsSeen, dropName);
  }

  /** Adds one value to group g; true when it is the group's first in this step. */
  private add(g: number, x: number): boolean {
    const n = ++this.n[g]!;
    if (n === 1) {
      this.v[g] = x;
      this.c[g] = 0;
      this.mean[g] = 0;
      this.incremental[g] = 0;
      return true;
    }
    switch (this.op) {
      case 'sum':
        this.kahan(g, x);
        break;
      case 'min': {
        const a = this.v[g]!;
        if (x < a || a !== a) this.v[g] = x;
        break;
      }
      case 'max': {
        const a = this.v[g]!;
        if (x > a || a !== a) this.v[g] = x;
        break;
      }
      case 'avg': {
        // As Prometheus: compensated sum until it would overflow, then an incremental mean.
        if (!this.incremental[g]) {
          const sum = this.v[g]!;
          const ns = sum + x;
          if (ns !== Infinity && ns !== -Infinity) {
            this.kahan(g, x);
            break;
          }
          this.incremental[g] = 1;
          this.mean[g] = sum / (n - 1);
          this.c[g] = this.c[g]! / (n - 1);
        }
        const q = (n - 1) / n;
        // kahanInc(x / n, q * mean, q * c)
        const inc = x / n;
        const sum = q * this.mean[g]!;
        let c = q * this.c[g]!;
        const t = sum + inc;
        if (t === Infinity || t === -Infinity) c = 0;
        else if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
        else c += inc - t + sum;
        this.mean[g] = t;
        this.c[g] = c;
        break;
      }
      default:
        break;
    }
    return false;
  }

  /** Go's kahanSumInc on group g's running sum: one Neumaier step; the compensation resets on overflow. */
  private kahan(g: number, inc: number): void {
    const sum = this.v[g]!;
    const t = sum + inc;
    if (t === Infinity || t === -Infinity) this.c[g] = 0;
    else if (Math.abs(sum) >= Math.abs(inc)) this.c[g] = this.c[g]! + (sum - t + inc);
    else this.c[g] = this.c[g]! + (inc - t + sum);
    this.v[g] = t;
  }

  private output(groupsSeen: number, drop: boolean): VSample[] {
    const out: VSample[] = new Array(groupsSeen);
    for (let k = 0; k < groupsSeen; k++) {
      const g = this.order[k]!;
      let v: number;
      switch (this.op) {
        case 'sum': {
          const a = this.v[g]!;
          v = Number.isFinite(a) ? a + this.c[g]! : a;
          break;
        }
        case 'count':
          v = this.n[g]!;
          break;
        case 'group':
          v = 1;
          break;
        case 'avg':
          v = this.incremental[g] ? this.mean[g]! + this.c[g]! : (this.v[g]! + this.c[g]!) / this.n[g]!;
          break;
        default:
          v = this.v[g]!;
      }
      out[k] = { metric: this.groups[g]!, v, drop };
    }
    return out;
  }
}

/**
 * Index of the first sample with t > x, starting from a previous answer:
 * a short forward walk when steps move forward, a binary search otherwise.
 */
export function advance(ts: Float64Array, x: number, hint: number): number {
  const n = ts.length;
  if (hint > n || (hint > 0 && ts[hint - 1]! > x)) {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  let i = hint;
  for (let k = 0; i < n && ts[i]! <= x; k++) {
    if (k === 8) {
      // Far ahead (a big step): search the rest.
      let lo = i;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ts[mid]! <= x) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }
    i++;
  }
  return i;
}

/** Reads a series' value at step k of a grid: a range function over a window, or an instant selector's sample. */
export type StepReader = (s: LoadedSeries, i: number, k: number) => number | undefined;

/** `fn(sel[range])` at grid step k, whose window ends at `endAt(k)`; cursors per series move forward. */
export function rangeReader(n: number, fn: RangeFn, range: number, endAt: (k: number) => number, evalAt: (k: number) => number, onValue?: (s: LoadedSeries) => void): StepReader {
  const loAt = new Int32Array(n);
  const hiAt = new Int32Array(n);
  const w: Window = { ts: EMPTY, vs: EMPTY, lo: 0, hi: 0, start: 0, end: 0, evalTs: 0 };
  // rate/increase read every reset of a series many times over: index them once per series.
  const counter = fn === RANGE_FUNCTIONS.rate || fn === RANGE_FUNCTIONS.increase;
  let resetsOf: LoadedSeries | undefined;
  let resetBuf: Int32Array = new Int32Array(0);
  return (s, i, k) => {
    const end = endAt(k);
    const start = end - range;
    const lo = (loAt[i] = advance(s.ts, start, loAt[i]!));
    const hi = (hiAt[i] = advance(s.ts, end, hiAt[i]!));
    if (hi <= lo) return undefined;
    if (counter && resetsOf !== s) {
      resetsOf = s;
      w.resets = resetBuf = nextResets(s.vs, resetBuf);
    }
    w.ts = s.ts;
    w.vs = s.vs;
    w.lo = lo;
    w.hi = hi;
    w.start = start;
    w.end = end;
    w.evalTs = evalAt(k);
    const x = fn(w, NO_ARGS);
    if (x !== undefined && onValue) onValue(s);
    return x;
  };
}

/** An instant selector at grid step k: the newest sample in (ref − lookback, ref], unless stale. */
export function instantReader(n: number, refAt: (k: number) => number, lookback: number): StepReader {
  const hiAt = new Int32Array(n);
  return (s, i, k) => {
    const ref = refAt(k);
    const hi = (hiAt[i] = advance(s.ts, ref, hiAt[i]!));
    if (hi === 0) return undefined;
    if (s.ts[hi - 1]! <= ref - lookback) return undefined;
    const x = s.vs[hi - 1]!;
    if (x !== x && isStaleNaN(x)) return undefined;
    return x;
  };
}
