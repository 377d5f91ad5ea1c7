/** A typed client for the Prometheus HTTP API endpoints the UI uses. */

export type Metric = Record<string, string>;
export interface VectorResult {
  resultType: 'vector';
  result: Array<{ metric: Metric; value: [number, string] }>;
}
export interface MatrixResult {
  resultType: 'matrix';
  result: Array<{ metric: Metric; values: Array<[number, string]> }>;
}
export interface ScalarResult {
  resultType: 'scalar';
  result: [number, string];
}
export interface StringResult {
  resultType: 'string';
  result: [number, string];
}
/** The `data` of a query answer; times in Unix seconds, values as the API's strings. */
export type QueryData = VectorResult | MatrixResult | ScalarResult | StringResult;

export interface TargetInfo {
  discoveredLabels: Metric;
  labels: Metric;
  scrapePool: string;
  scrapeUrl: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: 'up' | 'down' | 'unknown';
  scrapeInterval: string;
}

export interface ApiResponse<T> {
  data: T;
  warnings: string[];
  infos: string[];
}

export class ApiError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, params: Record<string, string> = {}): Promise<ApiResponse<T>> {
  const post = Object.keys(params).length > 0;
  let res: Response;
  try {
    // POST with a form body, as Prometheus's UI does, so long expressions fit.
    res = await fetch(path, {
      method: post ? 'POST' : 'GET',
      headers: post ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {},
      body: post ? new URLSearchParams(params) : undefined,
    });
  } catch (err) {
    throw new ApiError('unavailable', `cannot reach the server: ${(err as Error).message}`);
  }
  let json: { status: string; data: T; errorType?: string; error?: string; warnings?: string[]; infos?: string[] };
  try {
    json = await res.json();
  } catch {
    throw new ApiError('unavailable', `the server answered ${res.status} ${res.statusText} without JSON`);
  }
  if (json.status !== 'success') throw new ApiError(json.errorType ?? 'error', json.error ?? `HTTP ${res.status}`);
  return { data: json.data, warnings: json.warnings ?? [], infos: json.infos ?? [] };
}

export const api = {
  query: (query: string, time: number) => call<QueryData>('/api/v1/query', { query, time: String(time) }),
  queryRange: (query: string, start: number, end: number, step: number) =>
    call<QueryData>('/api/v1/query_range', { query, start: String(start), end: String(end), step: String(step) }),
  targets: () => call<{ activeTargets: TargetInfo[]; droppedTargets: unknown[] }>('/api/v1/targets'),
  metricNames: () => call<string[]>('/api/v1/label/__name__/values'),
  buildInfo: () => call<{ version: string }>('/api/v1/status/buildinfo'),
};

/** `name{a="1", b="2"}` */
export function formatMetric(m: Metric): string {
  const { __name__: name = '', ...rest } = m;
  const parts = Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length ? `${name}{${parts.join(', ')}}` : name || '{}';
}
