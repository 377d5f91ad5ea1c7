import type { Labels } from '@vigil/core';
import type { QueryValue } from '../../promql/types.ts';

/**
 * Formats a sample value the way Prometheus writes it into JSON: Go's
 * `strconv.FormatFloat` with 'f' precision -1, switching to 'e' for
 * |v| < 1e-6 or ≥ 1e21, and `NaN`, `+Inf`, `-Inf`.
 */
export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v !== v) return 'NaN';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  // Go writes at least two exponent digits: 1e-07, 1.5e+21.
  const sign = s[e + 1]!;
  const digits = s.slice(e + 2);
  return `${s.slice(0, e)}e${sign}${digits.length < 2 ? '0' + digits : digits}`;
}

/** Timestamps go out as float seconds with millisecond precision. */
export function formatTime(ms: number): number {
  return ms / 1000;
}

export function metricObject(ls: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of ls) out[l.name] = l.value;
  return out;
}

/** The `data` object of a query response: `{resultType, result}`. */
export function queryData(v: QueryValue): { resultType: string; result: unknown } {
  switch (v.type) {
    case 'vector':
      return {
        resultType: 'vector',
        result: v.vector.map((s) => ({ metric: metricObject(s.metric), value: [formatTime(s.t), formatValue(s.v)] })),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: v.matrix.map((s) => {
          const values: Array<[number, string]> = new Array(s.ts.length);
          for (let i = 0; i < s.ts.length; i++) values[i] = [formatTime(s.ts[i]!), formatValue(s.vs[i]!)];
          return { metric: metricObject(s.metric), values };
        }),
      };
    case 'scalar':
      return { resultType: 'scalar', result: [formatTime(v.t), formatValue(v.v)] };
    case 'string':
      return { resultType: 'string', result: [formatTime(v.t), v.s] };
  }
}

/**
 * The `data` object of a query response written straight to JSON text.
 * Same bytes as `JSON.stringify(queryData(v))`, without building an array
 * per point first: range results are the API's largest responses.
 */
export function queryDataJSON(v: QueryValue): string {
  switch (v.type) {
    case 'vector': {
      const parts = v.vector.map((s) => `{"metric":${JSON.stringify(metricObject(s.metric))},"value":[${formatTime(s.t)},"${formatValue(s.v)}"]}`);
      return `{"resultType":"vector","result":[${parts.join(',')}]}`;
    }
    case 'matrix': {
      // Series of a range result share the step grid: each timestamp's text
      // (`[1735689900.777,"`) is made once and reused.
      const stamps = new Map<number, string>();
      const parts: string[] = new Array(v.matrix.length);
      for (let k = 0; k < v.matrix.length; k++) {
        const s = v.matrix[k]!;
        const pts: string[] = new Array(s.ts.length);
        for (let i = 0; i < s.ts.length; i++) {
          const t = s.ts[i]!;
          let head = stamps.get(t);
          if (head === undefined) stamps.set(t, (head = `[${formatTime(t)},"`));
          pts[i] = head + formatValue(s.vs[i]!) + '"]';
        }
        parts[k] = `{"metric":${JSON.stringify(metricObject(s.metric))},"values":[${pts.join(',')}]}`;
      }
      return `{"resultType":"matrix","result":[${parts.join(',')}]}`;
    }
    default:
      return JSON.stringify(queryData(v));
  }
}
