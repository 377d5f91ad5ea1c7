import type { Expr, VectorSelector } from '../parser/ast.ts';

export interface SelectorRange {
  node: VectorSelector;
  /** Inclusive ms bounds of the samples evaluation may read. */
  mint: number;
  maxt: number;
  range: number;
}

/**
 * Walks the expression and works out, for every selector, which samples any
 * evaluation step can read: Prometheus's `populateSeries` time ranges.
 */
export function selectorRanges(root: Expr, start: number, end: number, lookback: number): SelectorRange[] {
  const out: SelectorRange[] = [];
  const at = (a: { type: string; t?: number } | undefined, lo: number, hi: number): [number, number] => {
    if (!a) return [lo, hi];
    if (a.type === 'start') return [start, start];
    if (a.type === 'end') return [end, end];
    return [a.t!, a.t!];
  };
  const walk = (e: Expr, lo: number, hi: number): void => {
    switch (e.kind) {
      case 'vector': {
        const [a, b] = at(e.at, lo, hi);
        // `smoothed` interpolates towards the next sample, up to a lookback later.
        out.push({ node: e, mint: a - e.offset - lookback + 1, maxt: b - e.offset + (e.extended === 'smoothed' ? lookback : 0), range: 0 });
        return;
      }
      case 'matrix': {
        const [a, b] = at(e.vs.at, lo, hi);
        // anchored/smoothed read one sample before the window (within the lookback), smoothed one after.
        const ext = e.vs.extended;
        out.push({ node: e.vs, mint: a - e.vs.offset - e.range + 1 - (ext ? lookback : 0), maxt: b - e.vs.offset + (ext === 'smoothed' ? lookback : 0), range: e.range });
        return;
      }
      case 'subquery': {
        const [a, b] = at(e.at, lo, hi);
        walk(e.expr, a - e.offset - e.range, b - e.offset);
        return;
      }
      case 'call':
        if (e.infoSelector) {
          // @ and offset in info()'s argument can move the lookup anywhere: load the info series whole.
          out.push({ node: e.infoSelector, mint: Number.MIN_SAFE_INTEGER, maxt: Number.MAX_SAFE_INTEGER, range: 0 });
        }
        for (const x of e.args.slice(0, e.infoSelector ? 1 : e.args.length)) walk(x, lo, hi);
        return;
      case 'aggregate':
        walk(e.expr, lo, hi);
        if (e.param) walk(e.param, lo, hi);
        return;
      case 'binary':
        walk(e.lhs, lo, hi);
        walk(e.rhs, lo, hi);
        return;
      case 'unary':
      case 'paren':
        walk(e.expr, lo, hi);
        return;
      default:
        return;
    }
  };
  walk(root, start, end);
  return out;
}
