import { monotonicMs } from './clock.ts';
import type { Registry } from 'prom-client';
import { CountView, HistogramStore, NumberGauge, type Series } from './red-store.ts';
import { BoundedLabel } from './bounded-label.ts';

/** Default request-duration buckets (seconds): web latencies from 5 ms to 10 s. */
export const DEFAULT_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Default request/response size buckets (bytes): 100 B to 10 MB. */
export const DEFAULT_SIZE_BUCKETS = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/** Route value for requests no route matched (404s, scanners): one series, not one per URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Requests whose ends wait to be added to the histograms: see
 * {@link HttpMetrics.end}.
 */
const BATCH = 64;

/** Methods recorded by name; any other is recorded as `OTHER`. */
const OTHER = 9;

/**
 * A small number per method, for the (status, method) key of a series'
 * children: the known methods 0–8, anything else {@link OTHER}. Compared
 * directly, commonest first: Node's parser hands out the same interned
 * strings, so each comparison is a pointer check, cheaper than a `Map`
 * probe (a CPU profile of a Fastify hello-world put the SDK's three `Map`
 * probes per request at 0.04 µs).
 */
function methodIndex(method: string): number {
  switch (method) {
    case 'GET':
      return 0;
    case 'POST':
      return 1;
    case 'HEAD':
      return 2;
    case 'PUT':
      return 3;
    case 'DELETE':
      return 4;
    case 'PATCH':
      return 5;
    case 'OPTIONS':
      return 6;
    case 'CONNECT':
      return 7;
    case 'TRACE':
      return 8;
    default:
      return OTHER;
  }
}

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

/** @internal */
export interface Children {
  duration: Series;
  requestSize: Series | undefined;
  responseSize: Series | undefined;
}

/**
 * The series of one route template (after the cap), found once per request
 * by the adapters ({@link HttpMetrics.route}) and passed to
 * {@link HttpMetrics.end}; the (method, status) children live in a Map keyed
 * by a small integer, so recording builds no strings.
 */
export class RouteSeries {
  /** @internal (status * 16 + method index) -> children */
  readonly byStatus = new Map<number, Children>();
  /** @internal The key and children found last: a route mostly answers one method and status, so this skips the `Map` probe. */
  lastKey = -1;
  /** @internal */
  last: Children | undefined = undefined;

  /** @param route the recorded `route` label value (capped) */
  constructor(readonly route: string) {}
}

/**
 * The RED metrics every HTTP adapter records: `http_requests_total`,
 * `http_request_duration_seconds`, `http_requests_in_flight` and the size
 * histograms. Adapters call {@link start} when a request arrives and the
 * returned function when it finishes.
 *
 * Per request the adapters look up the route template's {@link RouteSeries}
 * (a Map hit, hashing no new string); its (method, status) children are
 * resolved once and kept, and found when the batch of ends is applied (see
 * {@link end}). `http_requests_total` is read from the
 * duration histogram's counts (see {@link HistogramStore}).
 */
export class HttpMetrics {
  readonly requests: CountView;
  readonly duration: HistogramStore;
  readonly inFlight: NumberGauge;
  readonly requestSize: HistogramStore | undefined;
  readonly responseSize: HistogramStore | undefined;
  /** The cap on `route` values. */
  readonly routes: BoundedLabel;
  /** Raw route template -> its series (bounded; see {@link route}). */
  private readonly byRoute = new Map<string, RouteSeries>();
  /** Capped route value -> its series, so raw templates that collapse share one. */
  private readonly byLabel = new Map<string, RouteSeries>();
  private unmatched: RouteSeries | undefined;
  private slowSeconds = Infinity;
  /** Ends not yet in the histograms (see {@link end}): how many, their series, methods, and (status, seconds, request bytes, response bytes) each. */
  private waiting = 0;
  private readonly waitingSeries: RouteSeries[];
  private readonly waitingMethods: string[] = new Array<string>(BATCH).fill('GET');
  private readonly waitingValues = new Float64Array(BATCH * 4);
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
    this.waitingSeries = new Array<RouteSeries>(BATCH).fill(new RouteSeries(''));
    const apply = () => this.applyWaiting();
    // A reset (registry.resetMetrics()) empties a store; the children each
    // route series keeps would still point at the forgotten series.
    const forget = () => this.forgetChildren();
    for (const store of [this.duration, this.requestSize, this.responseSize]) {
      if (store === undefined) continue;
      store.beforeRead = apply;
      store.afterReset = forget;
    }
  }

  /**
   * Marks a request as started; call the returned function exactly once when
   * it finishes. Durations use {@link monotonicMs}.
   */
  start(): (done: FinishedRequest) => void {
    const t0 = monotonicMs();
    this.inFlight.value++;
    return (done) => {
      this.inFlight.value--;
      this.record(done, (monotonicMs() - t0) / 1000);
    };
  }

  /**
   * Allocation-free form of {@link start} for adapters that can keep a
   * number on the request: returns the start time to pass to {@link finish}.
   */
  begin(): number {
    this.inFlight.value++;
    return monotonicMs();
  }

  /** Ends a request begun with {@link begin}. */
  finish(t0: number, done: FinishedRequest): void {
    this.inFlight.value--;
    this.record(done, (monotonicMs() - t0) / 1000);
  }

  /** Calls `fn` for every request slower than `seconds` (one hook; a later call replaces it). */
  onSlow(seconds: number, fn: (done: FinishedRequest, seconds: number) => void): void {
    this.slowSeconds = seconds;
    this.slowFn = fn;
  }

  /**
   * The series of a route template (undefined: no route matched). Adapters
   * call it once per request with the router's template, which is the same
   * string object each time, so this is one Map hit. Distinct templates past
   * the cap share the `__overflow__` series; raw templates are remembered
   * only up to a bound, so random URLs cannot grow the lookup without limit.
   */
  route(template: string | undefined): RouteSeries {
    if (template === undefined) return (this.unmatched ??= this.labelSeries(this.routes.value(UNMATCHED_ROUTE)));
    let rs = this.byRoute.get(template);
    if (rs === undefined) {
      rs = this.labelSeries(this.routes.value(template));
      if (this.byRoute.size < this.routes.limit * 64) this.byRoute.set(template, rs);
    }
    return rs;
  }

  private labelSeries(route: string): RouteSeries {
    let rs = this.byLabel.get(route);
    if (rs === undefined) {
      rs = new RouteSeries(route);
      this.byLabel.set(route, rs);
    }
    return rs;
  }

  /**
   * Ends a request begun with {@link begin}: the allocation-free form of
   * {@link finish} the framework adapters use. Sizes are -1 when unknown.
   *
   * The in-flight gauge and the slow-request hook see the end at once; the
   * histograms get it in a batch: the end waits in {@link BATCH}-long
   * arrays and every {@link BATCH}th request, or any read or reset of the
   * histograms (a scrape, `registry.getMetricsAsJSON()`, a cluster
   * aggregation), adds the waiting ones in one loop. What a request costs
   * a hello-world is mostly code that runs once per request and is no
   * longer in the processor's instruction cache; a loop over 64 finds the
   * recording code there for all but the first (docs/sdk-overhead.md,
   * "Code that runs once per request").
   */
  end(t0: number, rs: RouteSeries, method: string, status: number, requestBytes: number, responseBytes: number): void {
    this.inFlight.value--;
    const seconds = (monotonicMs() - t0) / 1000;
    if (seconds > this.slowSeconds) this.slowFn?.({ method, route: rs.route === UNMATCHED_ROUTE ? undefined : rs.route, status, requestBytes: requestBytes < 0 ? undefined : requestBytes, responseBytes: responseBytes < 0 ? undefined : responseBytes }, seconds);
    const i = this.waiting;
    this.waitingSeries[i] = rs;
    this.waitingMethods[i] = method;
    const v = this.waitingValues;
    const j = i * 4;
    v[j] = status;
    v[j + 1] = seconds;
    v[j + 2] = requestBytes;
    v[j + 3] = responseBytes;
    this.waiting = i + 1;
    if (i + 1 === BATCH) this.applyWaiting();
  }

  /** Adds the ends waiting since the last batch to the histograms. */
  applyWaiting(): void {
    const n = this.waiting;
    this.waiting = 0;
    const v = this.waitingValues;
    for (let i = 0; i < n; i++) {
      const j = i * 4;
      this.observe(this.waitingSeries[i]!, this.waitingMethods[i]!, v[j]!, v[j + 1]!, v[j + 2]!, v[j + 3]!);
    }
  }

  /** Records one finished request that took `seconds`. */
  record(done: FinishedRequest, seconds: number): void {
    if (seconds > this.slowSeconds) this.slowFn?.(done, seconds);
    this.observe(this.route(done.route), done.method, done.status, seconds, done.requestBytes ?? -1, done.responseBytes ?? -1);
  }

  private observe(rs: RouteSeries, method: string, status: number, seconds: number, requestBytes: number, responseBytes: number): void {
    const mi = methodIndex(method);
    const key = status * 16 + mi;
    let c = key === rs.lastKey ? rs.last : rs.byStatus.get(key);
    if (c === undefined) c = this.children(rs, key, mi === OTHER ? 'OTHER' : method, status);
    rs.lastKey = key;
    rs.last = c;
    this.duration.observe(c.duration, seconds);
    if (c.requestSize !== undefined && requestBytes >= 0) this.requestSize!.observe(c.requestSize, requestBytes);
    if (c.responseSize !== undefined && responseBytes >= 0) this.responseSize!.observe(c.responseSize, responseBytes);
  }

  private forgetChildren(): void {
    for (const rs of this.byLabel.values()) {
      rs.byStatus.clear();
      rs.lastKey = -1;
      rs.last = undefined;
    }
  }

  private children(rs: RouteSeries, key: number, method: string, status: number): Children {
    const route = rs.route;
    const ck = `${method} ${status} ${route}`;
    const labels = { method, route, status: String(status) };
    const c: Children = {
      duration: this.duration.seriesFor(ck, labels),
      requestSize: this.requestSize?.seriesFor(`${method} ${route}`, { method, route }),
      responseSize: this.responseSize?.seriesFor(ck, labels),
    };
    rs.byStatus.set(key, c);
    return c;
  }
}
