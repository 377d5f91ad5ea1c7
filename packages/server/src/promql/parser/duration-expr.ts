import { formatDuration } from '@vigil/core';

/**
 * Experimental duration expressions (Prometheus 3.x): arithmetic inside
 * `[…]` and after `offset`, in seconds, with `step()`, `range()`,
 * `min_of(…)` and `max_of(…)`. Expressions without `step()`/`range()` are
 * folded while parsing; the others are resolved when a query starts.
 */
export type DurationExpr =
  | { kind: 'num'; v: number; duration: boolean }
  | { kind: 'bin'; op: string; l: DurationExpr; r: DurationExpr }
  | { kind: 'neg'; e: DurationExpr }
  | { kind: 'paren'; e: DurationExpr }
  | { kind: 'call'; f: string; args: DurationExpr[] };

/** Query facts a duration expression may read, seconds. */
export interface DurationContext {
  step: number;
  range: number;
}

/** Value in seconds. */
export function evalDuration(e: DurationExpr, ctx: DurationContext): number {
  switch (e.kind) {
    case 'num':
      return e.v;
    case 'paren':
      return evalDuration(e.e, ctx);
    case 'neg':
      return -evalDuration(e.e, ctx);
    case 'call': {
      const f = e.f.toLowerCase();
      if (f === 'step') return ctx.step;
      if (f === 'range') return ctx.range;
      const a = e.args.map((x) => evalDuration(x, ctx));
      return f === 'min_of' ? Math.min(...a) : Math.max(...a);
    }
    case 'bin': {
      const l = evalDuration(e.l, ctx);
      const r = evalDuration(e.r, ctx);
      switch (e.op) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          return l / r;
        case '%':
          return l % r;
        default:
          return Math.pow(l, r);
      }
    }
  }
}

/** True when the value depends on the query (step() or range()). */
export function isDynamic(e: DurationExpr): boolean {
  switch (e.kind) {
    case 'num':
      return false;
    case 'paren':
    case 'neg':
      return isDynamic(e.e);
    case 'call':
      return ['step', 'range'].includes(e.f.toLowerCase()) || e.args.some(isDynamic);
    case 'bin':
      return isDynamic(e.l) || isDynamic(e.r);
  }
}

export function formatDurationExpr(e: DurationExpr): string {
  switch (e.kind) {
    case 'num':
      return e.duration ? formatDuration(Math.round(e.v * 1000)) : String(e.v);
    case 'paren':
      return `(${formatDurationExpr(e.e)})`;
    case 'neg':
      return `-${formatDurationExpr(e.e)}`;
    case 'call':
      return `${e.f}(${e.args.map(formatDurationExpr).join(', ')})`;
    case 'bin':
      return `${formatDurationExpr(e.l)} ${e.op} ${formatDurationExpr(e.r)}`;
  }
}
