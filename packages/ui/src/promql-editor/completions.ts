/** PromQL functions and aggregation operators offered while typing, with a one-line hint each. */
export const PROMQL_KEYWORDS: ReadonlyArray<readonly [string, string]> = [
  ['sum', 'aggregation'],
  ['avg', 'aggregation'],
  ['min', 'aggregation'],
  ['max', 'aggregation'],
  ['count', 'aggregation'],
  ['topk', 'aggregation'],
  ['bottomk', 'aggregation'],
  ['quantile', 'aggregation'],
  ['stddev', 'aggregation'],
  ['count_values', 'aggregation'],
  ['rate', 'function: per-second rate of a counter'],
  ['irate', 'function: rate from the last two samples'],
  ['increase', 'function: increase of a counter over the range'],
  ['delta', 'function'],
  ['idelta', 'function'],
  ['deriv', 'function'],
  ['histogram_quantile', 'function: φ-quantile from histogram buckets'],
  ['abs', 'function'],
  ['ceil', 'function'],
  ['floor', 'function'],
  ['round', 'function'],
  ['clamp_min', 'function'],
  ['clamp_max', 'function'],
  ['label_replace', 'function'],
  ['label_join', 'function'],
  ['absent', 'function'],
  ['changes', 'function'],
  ['resets', 'function'],
  ['scalar', 'function'],
  ['vector', 'function'],
  ['time', 'function'],
  ['timestamp', 'function'],
  ['avg_over_time', 'function'],
  ['min_over_time', 'function'],
  ['max_over_time', 'function'],
  ['sum_over_time', 'function'],
  ['count_over_time', 'function'],
  ['last_over_time', 'function'],
  ['quantile_over_time', 'function'],
  ['predict_linear', 'function'],
  ['by', 'keyword'],
  ['without', 'keyword'],
  ['offset', 'keyword'],
  ['on', 'keyword'],
  ['ignoring', 'keyword'],
  ['group_left', 'keyword'],
  ['group_right', 'keyword'],
];

export interface Completion {
  /** The text inserted in place of the word being typed. */
  label: string;
  /** `metric`, `aggregation`, `function…` or `keyword`. */
  detail: string;
}

/** The identifier being typed just before `cursor`: its start offset and text. */
export function wordAt(text: string, cursor: number): { from: number; word: string } {
  let from = cursor;
  while (from > 0 && /[A-Za-z0-9_:]/.test(text[from - 1]!)) from--;
  return { from, word: text.slice(from, cursor) };
}

/** True when `offset` is inside a quoted string or a `{…}` matcher list or a `[…]` range, where names make no sense. */
function inLiteralOrBraces(text: string, offset: number): boolean {
  let quote = '';
  let depth = 0;
  for (let i = 0; i < offset; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && depth > 0) depth--;
  }
  return quote !== '' || depth > 0;
}

/**
 * Completions for the word before `cursor`: metric names first, then
 * functions and keywords; prefix matches before substring matches. Nothing
 * inside strings, matcher braces or range brackets, or for words under two
 * characters. At most `limit` entries.
 */
export function complete(text: string, cursor: number, metricNames: readonly string[], limit = 12): { from: number; items: Completion[] } {
  const { from, word } = wordAt(text, cursor);
  if (word.length < 2 || /^[0-9]/.test(word) || inLiteralOrBraces(text, from)) return { from, items: [] };
  const lower = word.toLowerCase();
  const all: Completion[] = [
    ...metricNames.map((label) => ({ label, detail: 'metric' })),
    ...PROMQL_KEYWORDS.map(([label, detail]) => ({ label, detail })),
  ];
  const prefix = all.filter((c) => c.label.toLowerCase().startsWith(lower) && c.label !== word);
  const inner = all.filter((c) => !c.label.toLowerCase().startsWith(lower) && c.label.toLowerCase().includes(lower));
  return { from, items: [...prefix, ...inner].slice(0, limit) };
}
