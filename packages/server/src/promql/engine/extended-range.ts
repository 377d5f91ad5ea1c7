import { PromQLExecError } from '../errors.ts';
import type { Expr } from '../parser/ast.ts';
import { upperBound } from './series-ops.ts';
import type { LoadedSeries } from './value.ts';

/**
 * Experimental `anchored` and `smoothed` range selectors (Prometheus 3.x,
 * `promql-extended-range-selectors`).
 *
 * - anchored: the window's samples plus the last sample at or before its
 *   start (within the lookback delta); no extrapolation.
 * - smoothed: values at both window edges are interpolated between the
 *   neighbouring samples (across a counter reset the counter is taken to
 *   restart from 0); without a neighbour the nearest sample's value is used.
 */
export const ANCHORED_FUNCS = ['changes', 'delta', 'increase', 'rate', 'resets'];
export const SMOOTHED_FUNCS = ['delta', 'increase', 'rate'];

/** Refuses functions the modifiers don't support, with Prometheus's message. */
export function checkExtended(e: Expr): void {
  switch (e.kind) {
    case 'call': {
      for (const a of e.args) {
        let x = a;
        while (x.kind === 'paren') x = x.expr;
        if (x.kind === 'matrix' && x.vs.extended) {
          const allowed = x.vs.extended === 'anchored' ? ANCHORED_FUNCS : SMOOTHED_FUNCS;
          if (!allowed.includes(e.func)) throw new PromQLExecError(`${x.vs.extended} modifier can only be used with: ${allowed.join(', ')} - not with ${e.func}`);
        }
      }
      e.args.forEach(checkExtended);
      return;
    }
    case 'aggregate':
      checkExtended(e.expr);
      if (e.param) checkExtended(e.param);
      return;
    case 'binary':
      checkExtended(e.lhs);
      checkExtended(e.rhs);
      return;
    case 'paren':
    case 'unary':
    case 'subquery':
      checkExtended(e.expr);
      return;
    default:
      return;
  }
}

/** Interpolates at `t` between (ta, a) and (tb, b); a counter that drops restarts from 0. */
function interpolate(ta: number, a: number, tb: number, b: number, t: number, counter: boolean): number {
  const f = (t - ta) / (tb - ta);
  if (counter && b < a) return b * f;
  return a + (b - a) * f;
}

/**
 * The value sequence an extended range function works on, or undefined when
 * the series yields no output. Window (start, end], ms.
 */
export function extendedSeq(s: LoadedSeries, start: number, end: number, lookback: number, mode: 'anchored' | 'smoothed', counter: boolean): number[] | undefined {
  const lo = upperBound(s.ts, start);
  const hi = upperBound(s.ts, end);
  const before = lo - 1 >= 0 && s.ts[lo - 1]! > start - lookback ? lo - 1 : -1;
  if (mode === 'anchored') {
    if (hi <= lo) return undefined;
    const seq: number[] = [];
    if (before >= 0) seq.push(s.vs[before]!);
    for (let i = lo; i < hi; i++) seq.push(s.vs[i]!);
    return seq;
  }
  const after = hi < s.ts.length && s.ts[hi]! <= end + lookback ? hi : -1;
  if (hi <= lo && (before < 0 || after < 0)) return undefined;
  const seq: number[] = [];
  // Value at the window start.
  if (before >= 0) {
    const next = hi > lo ? lo : after;
    seq.push(interpolate(s.ts[before]!, s.vs[before]!, s.ts[next]!, s.vs[next]!, start, counter));
  } else seq.push(s.vs[lo]!);
  for (let i = lo; i < hi; i++) seq.push(s.vs[i]!);
  // Value at the window end.
  if (after >= 0) {
    const prev = hi > lo ? hi - 1 : before;
    seq.push(interpolate(s.ts[prev]!, s.vs[prev]!, s.ts[after]!, s.vs[after]!, end, counter));
  } else seq.push(s.vs[hi - 1]!);
  return seq;
}

/** increase/rate/delta/changes/resets over an extended sequence. */
export function extendedValue(f: string, seq: number[], rangeMs: number): number {
  const first = seq[0]!;
  const last = seq[seq.length - 1]!;
  switch (f) {
    case 'delta':
      return last - first;
    case 'changes': {
      let c = 0;
      for (let i = 1; i < seq.length; i++) if (seq[i] !== seq[i - 1] && !(Number.isNaN(seq[i]!) && Number.isNaN(seq[i - 1]!))) c++;
      return c;
    }
    case 'resets': {
      let c = 0;
      for (let i = 1; i < seq.length; i++) if (seq[i]! < seq[i - 1]!) c++;
      return c;
    }
    default: {
      let inc = last - first;
      for (let i = 1; i < seq.length; i++) if (seq[i]! < seq[i - 1]!) inc += seq[i - 1]!;
      return f === 'rate' ? inc / (rangeMs / 1000) : inc;
    }
  }
}

/** The value of `x smoothed` at t: interpolated between the samples around t. */
export function smoothedAt(s: LoadedSeries, t: number, lookback: number): { t: number; v: number } | undefined {
  const i = upperBound(s.ts, t) - 1;
  if (i < 0 || s.ts[i]! <= t - lookback) return undefined;
  if (s.ts[i] === t || i + 1 >= s.ts.length || s.ts[i + 1]! > t + lookback) return { t: s.ts[i]!, v: s.vs[i]! };
  return { t, v: interpolate(s.ts[i]!, s.vs[i]!, s.ts[i + 1]!, s.vs[i + 1]!, t, false) };
}
