import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
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
  requests: { inc(v?: number): void };
  duration: { observe(v: number): void };
}

/**
 * The RED metrics every HTTP adapter records: `http_requests_total`,
 * `http_request_duration_seconds`, `http_requests_in_flight` and the size
 * histograms. Adapters call {@link start} when a request arrives and the
 * returned function when it finishes.
 *
 * Label children are cached per (method, route, status) so the hot path does
 * one Map lookup instead of prom-client's per-call label hashing.
 */
export class HttpMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route' | 'status'>;
  readonly inFlight: Gauge;
  readonly requestSize: Histogram<'method' | 'route'> | undefined;
  readonly responseSize: Histogram<'method' | 'route' | 'status'> | undefined;
  /** The cap on `route` values. */
  readonly routes: BoundedLabel;
  private readonly children = new Map<string, Children>();
  private slowSeconds = Infinity;
  private slowFn: ((done: FinishedRequest, seconds: number) => void) | undefined;

  constructor(registry: Registry, opts: HttpMetricsOptions = {}) {
    const registers = [registry];
    this.routes = new BoundedLabel(opts.maxRoutes ?? 200);
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests handled, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency in seconds, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: opts.durationBuckets ?? DEFAULT_DURATION_BUCKETS,
      registers,
    });
    this.inFlight = new Gauge({ name: 'http_requests_in_flight', help: 'HTTP requests being handled now.', registers });
    if (opts.sizes ?? true) {
      this.requestSize = new Histogram({
        name: 'http_request_size_bytes',
        help: 'HTTP request body size in bytes (from Content-Length).',
        labelNames: ['method', 'route'],
        buckets: DEFAULT_SIZE_BUCKETS,
        registers,
      });
      this.responseSize = new Histogram({
        name: 'http_response_size_bytes',
        help: 'HTTP response body size in bytes.',
        labelNames: ['method', 'route', 'status'],
        buckets: DEFAULT_SIZE_BUCKETS,
        registers,
      });
    }
  }

  /**
   * Marks a request as started; call the returned function exactly once when
   * it finishes. Durations use `performance.now()` (monotonic).
   */
  start(): (done: FinishedRequest) => void {
    const t0 = performance.now();
    this.inFlight.inc();
    return (done) => {
      this.inFlight.dec();
      this.record(done, (performance.now() - t0) / 1000);
    };
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
    const route = this.routes.value(done.route ?? UNMATCHED_ROUTE);
    const status = done.status;
    const key = `${method} ${status} ${route}`;
    let c = this.children.get(key);
    if (c === undefined) {
      const labels = { method, route, status: String(status) };
      c = { requests: this.requests.labels(labels), duration: this.duration.labels(labels) };
      this.children.set(key, c);
    }
    c.requests.inc();
    c.duration.observe(seconds);
    if (this.requestSize && done.requestBytes !== undefined) this.requestSize.observe({ method, route }, done.requestBytes);
    if (this.responseSize && done.responseBytes !== undefined) this.responseSize.observe({ method, route, status: String(status) }, done.responseBytes);
  }
}
