import { matchLabels, type Labels } from '@vigil/core';
import { parseExpr } from '../parser/index.ts';
import type { Expr, VectorSelector } from '../parser/ast.ts';
import type { EvalCmd } from './script.ts';

/** Which group a case is counted in (FORMAT.md §8). */
export type CaseGroup = 'core' | 'native-histogram' | 'experimental';

const EXPERIMENTAL_FUNCS = [
  'double_exponential_smoothing',
  'histogram_quantiles',
  'info',
  'mad_over_time',
  'ts_of_first_over_time',
  'ts_of_last_over_time',
  'ts_of_min_over_time',
  'ts_of_max_over_time',
  'sort_by_label',
  'sort_by_label_desc',
  'start_timestamp',
  'start',
  'end',
  'range',
  'step',
  'min_of',
  'max_of',
  'limitk',
  'limit_ratio',
];
const EXPERIMENTAL_CALL_RE = new RegExp(`(?<![\\w:"'])(?:${EXPERIMENTAL_FUNCS.join('|')})\\s*\\(`, 'i');
const EXTENDED_RE = /\b(?:anchored|smoothed|fill|fill_left|fill_right)\b/i;
/** Arithmetic inside `[…]` or after `offset` is a duration expression. */
const DURATION_EXPR_RE = /\[[^\]]*[-+*/%^(][^\]]*\]|offset\s*[-+]?\s*\(|offset\s+[-+]?\d+\w*\s*[-+*/%^]/;

/**
 * Heuristic classification, as FORMAT.md §8 does it: a case is a
 * native-histogram case when its expectations hold a histogram or its query
 * names a metric that holds native histograms; experimental when the query
 * uses experimental functions or syntax, or reads data loaded with start
 * timestamps (a feature-flagged 3.x feature).
 */
export function classify(cmd: EvalCmd, histogramMetrics: ReadonlySet<string>, histogramSeries: readonly Labels[] = [], startTimestamps = false): CaseGroup {
  if (cmd.expected.some((e) => e.slots.some((s) => s.kind === 'histogram'))) return 'native-histogram';
  const q = cmd.query;
  if (histogramSeries.length > 0 && selectsAny(q, histogramSeries)) return 'native-histogram';
  for (const m of q.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) if (histogramMetrics.has(m[0])) return 'native-histogram';
  for (const m of q.matchAll(/__name__\s*=\s*"([^"]*)"/g)) if (histogramMetrics.has(m[1]!)) return 'native-histogram';
  if (EXPERIMENTAL_CALL_RE.test(q) || EXTENDED_RE.test(q) || DURATION_EXPR_RE.test(q)) return 'experimental';
  // Data loaded with start timestamps (`@st`): upstream runs these only with the
  // experimental use-start-timestamps feature; FORMAT.md §8.1 leaves the file out
  // of the stable-float milestone.
  if (startTimestamps) return 'experimental';
  return 'core';
}

/** True when some selector of the query matches one of the given series (precise where the query parses). */
function selectsAny(q: string, series: readonly Labels[]): boolean {
  let ast: Expr;
  try {
    ast = parseExpr(q);
  } catch {
    return false;
  }
  const selectors: VectorSelector[] = [];
  const walk = (e: Expr): void => {
    switch (e.kind) {
      case 'vector':
        selectors.push(e);
        return;
      case 'matrix':
        selectors.push(e.vs);
        return;
      case 'call':
        e.args.forEach(walk);
        return;
      case 'aggregate':
        walk(e.expr);
        if (e.param) walk(e.param);
        return;
      case 'binary':
        walk(e.lhs);
        walk(e.rhs);
        return;
      case 'paren':
      case 'unary':
      case 'subquery':
        walk(e.expr);
        return;
      default:
        return;
    }
  };
  walk(ast);
  return selectors.some((s) => series.some((ls) => matchLabels(s.matchers, ls)));
}
