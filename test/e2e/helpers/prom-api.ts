/** Minimal typed access to the Prometheus HTTP API, shared by Vigil and Prometheus tests. */

export type Metric = Record<string, string>;

/** A decoded API answer with its HTTP status; `body` is the JSON envelope as sent. */
export interface ApiAnswer<T = unknown> {
  httpStatus: number;
  body: { status: 'success' | 'error'; data: T; errorType?: string; error?: string; warnings?: string[]; infos?: string[] };
}

/** GETs `base + path` with query parameters (repeatable keys as arrays). */
export async function apiGet<T = unknown>(base: string, path: string, params: Record<string, string | string[]> = {}): Promise<ApiAnswer<T>> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
  const res = await fetch(`${base}${path}${qs.size ? `?${qs}` : ''}`, { signal: AbortSignal.timeout(10_000) });
  return { httpStatus: res.status, body: (await res.json()) as ApiAnswer<T>['body'] };
}

/** Runs an instant query and returns its data, failing on an error envelope. */
export async function instant<T = { resultType: string; result: unknown }>(base: string, query: string, time?: number): Promise<T> {
  const r = await apiGet<T>(base, '/api/v1/query', time === undefined ? { query } : { query, time: String(time) });
  if (r.body.status !== 'success') throw new Error(`${base} ${query}: ${r.httpStatus} ${r.body.errorType}: ${r.body.error}`);
  return r.body.data;
}

/** The samples of a range-vector selector as `timestamp → value`, for every series, keyed by label set. */
export async function rangeSamples(base: string, selector: string, time?: number): Promise<Map<string, Map<number, string>>> {
  const data = await instant<{ resultType: string; result: Array<{ metric: Metric; values: Array<[number, string]> }> }>(base, selector, time);
  if (data.resultType !== 'matrix') throw new Error(`${selector}: expected a matrix, got ${data.resultType}`);
  const out = new Map<string, Map<number, string>>();
  for (const s of data.result) out.set(labelsKey(s.metric), new Map(s.values.map(([t, v]) => [t, v])));
  return out;
}

/** A stable string for a label set (sorted by name). */
export function labelsKey(m: Metric): string {
  return `{${Object.keys(m)
    .sort()
    .map((k) => `${k}=${JSON.stringify(m[k])}`)
    .join(',')}}`;
}
