import type { Registry } from 'prom-client';
import { CountView, HistogramStore, NumberGauge, type Series } from './red-store.ts';
import { BoundedLabel } from './bounded-label.ts';

/** Default request-duration buckets (seconds): web latencies from 5 ms to 10 s. */
export const DEFAULT_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Default request/response size buckets (bytes): 100 B to 10 MB. */
export const DEFAULT_SIZE_BUCKETS = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/** Route value for requests no route matched (404s, scanners): one series, not one per URL. */
export const UNMATCHED_ROUTE = 'unmatched';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** Options of {@link HttpMetrics}. */
export interface HttpMetricsOptions {
  /** Duration histogram buckets in seconds (default {@link DEFAULT_DURATION_BUCKETS}). */
  durationBuckets?: number[];
  /** Record `http_request_size_bytes` / `http_response_size_bytes` (default true). */
  sizes?: boolean;
  /** Most distinct `route` values; later ones become `__overflow__` (default 200). */
  maxRoutes?: number;
}

/** What an adapter knows once a response has finished. */
export interface FinishedRequest {
  method: string;
  /** The route template (`/users/:id`), or undefined when no route matched. */
  route: string | undefined;
  status: number;
  /** Request body size in bytes, if known (Content-Length). */
  requestBytes?: number;
  /** Response body size in bytes, if known. */
  responseBytes?: number;
}

interface Children {
  duration: Series;
  requestSize: Series | undefined;
  responseSize: Series | undefined;
}

/**
 * The RED metrics every HTTP adapter records: `http_requests_total`,
 * `http_request_duration_seconds`, `http_requests_in_flight` and the size
 * histograms. Adapters call {@link start} when a request arrives and the
 * returned function when it finishes.
 *
 * The hot path does one Map lookup per request: label sets are resolved once
 * per (method, route, status) and kept, and `http_requests_total` is read
 * from the duration histogram's counts (see {@link HistogramStore}).
 */
export class HttpMetrics {
  readonly requests: CountView;
  readonly duration: HistogramStore;
  readonly inFlight: NumberGauge;
  readonly requestSize: HistogramStore | undefined;
  readonly responseSize: HistogramStore | undefined;
  /** The cap on `route` values. */
  readonly routes: BoundedLabel;
  private readonly children = new Map<string, Children>();
  private slowSeconds = Infinity;
  private slowFn: ((done: FinishedRequest, seconds: number) => void) | undefined;

  constructor(registry: Registry, opts: HttpMetricsOptions = {}) {
    this.routes = new BoundedLabel(opts.maxRoutes ?? 200);
    this.duration = new HistogramStore('http_request_duration_seconds', 'HTTP request latency in seconds, by method, route template and status code.', opts.durationBuckets ?? DEFAULT_DURATION_BUCKETS, registry);
    this.requests = new CountView('http_requests_total', 'HTTP requests handled, by method, route template and status code.', this.duration, registry);
    this.inFlight = new NumberGauge('http_requests_in_flight', 'HTTP requests being handled now.', registry);
    if (opts.sizes ?? true) {
      this.requestSize = new HistogramStore('http_request_size_bytes', 'HTTP request body size in bytes (from Content-Length).', DEFAULT_SIZE_BUCKETS, registry);
      this.responseSize = new HistogramStore('http_response_size_bytes', 'HTTP response body size in bytes.', DEFAULT_SIZE_BUCKETS, registry);
    }
  }

  /**
   * Marks a request as started; call the returned function exactly once when
   * it finishes. Durations use `performance.now()` (monotonic).
   */
  start(): (done: FinishedRequest) => void {
    const t0 = performance.now();
    this.inFlight.value++;
    return (done) => {
      this.inFlight.value--;
      this.record(done, (performance.now() - t0) / 1000);
    };
  }

  /**
   * Allocation-free form of {@link start} for adapters that can keep a
   * number on the request: returns the start time to pass to {@link finish}.
   */
  begin(): number {
    this.inFlight.value++;
    return performance.now();
  }

  /** Ends a request begun with {@link begin}. */
  finish(t0: number, done: FinishedRequest): void {
    this.inFlight.value--;
    this.record(done, (performance.now() - t0) / 1000);
  }

  /** Calls `fn` for every request slower than `seconds` (one hook; a later call replaces it). */
  onSlow(seconds: number, fn: (done: FinishedRequest, seconds: number) => void): void {
    this.slowSeconds = seconds;
    this.slowFn = fn;
  }

  /** Records one finished request that took `seconds`. */
  record(done: FinishedRequest, seconds: number): void {
    if (seconds > this.slowSeconds) this.slowFn?.(done, seconds);
    const method = KNOWN_METHODS.has(done.method) ? done.method : 'OTHER';
    const status = done.status;
    // Key on the raw route first: the cap lookup only runs for new keys.
    const key = `${method} ${status} ${done.route ?? ''}`;
    let c = this.children.get(key);
    if (c === undefined) {
      // Canonical keys (after the cap) live under a NUL prefix, apart from raw keys.
      const route = this.routes.value(done.route ?? UNMATCHED_ROUTE);
      const ck = `${method} ${status} \u0000${route}`;
      c = this.children.get(ck);
      if (c === undefined) {
        const labels = { method, route, status: String(status) };
        c = {
          duration: this.duration.seriesFor(ck, labels),
          requestSize: this.requestSize?.seriesFor(`${method} \u0000${route}`, { method, route }),
          responseSize: this.responseSize?.seriesFor(ck, labels),
        };
        this.children.set(ck, c);
      }
      // Remember raw keys only up to a bound, so random URLs cannot grow
      // this map without limit either (past it they take the slow path).
      if (this.children.size < this.routes.limit * 64) this.children.set(key, c);
    }
    this.duration.observe(c.duration, seconds);
    if (c.requestSize && done.requestBytes !== undefined) this.requestSize!.observe(c.requestSize, done.requestBytes);
    if (c.responseSize && done.responseBytes !== undefined) this.responseSize!.observe(c.responseSize, done.responseBytes);
  }
}
