import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { HttpMetrics } from '../../metrics/http-metrics.ts';
import type { Vigil } from '../../vigil.ts';
import { byteCount } from './sizes.ts';

/** Maps a request to its route template; undefined means "no route matched". */
export type RouteResolver = (req: IncomingMessage) => string | undefined;

/** Options of {@link instrumentNodeServer}. */
export interface NodeInstrumentOptions {
  /**
   * Route template for a request. Plain `node:http` has no router, so the
   * default records every request as `unmatched`; pass your router's lookup
   * (or `templateFromPath`) to get per-route series.
   */
  route?: RouteResolver;
  /** Paths not recorded (default: the SDK's own endpoints). */
  ignore?: Iterable<string>;
}

/** Paths of the SDK's own endpoints, which are not counted as traffic. */
export const OWN_PATHS = ['/metrics', '/livez', '/readyz', '/healthz'];

/** The path of a request URL (the query string dropped; no copy when there is none). */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Records node:http exchanges for one adapter: {@link observe} marks the
 * start and adds one listener to the response's `close` event. Node emits
 * `close` after `finish`, and also when the client goes away first, so an
 * aborted request still counts (with the status the handler had set) and
 * leaves the in-flight gauge. The route is resolved when the response
 * closes, once the router has matched.
 *
 * The start time lives in the listener's closure, not on the response: a
 * property added to `req`/`res` with a computed key (a symbol) turns these
 * many-property objects into dictionary mode, which made every later access
 * by Node and Express slow (about +15% of an Express hello-world's CPU for
 * two symbol properties).
 */
export class ExchangeObserver {
  constructor(
    private readonly http: HttpMetrics,
    private readonly resolve: RouteResolver,
  ) {}

  /**
   * Starts recording a request; call once per request. The method and the
   * request's size are read now and kept in the listener's closure: read at
   * `close`, after the response was written and much else allocated, each
   * load from the request measured up to a few hundred ns, likely cache
   * misses (CPU profiles of an Express server,
   * 3 Dec 2026: 3.9 µs per request in the observer read late, 2.6 µs read
   * early, of which 0.7 µs is Node building `req.headers`, which Express
   * does anyway).
   */
  observe(req: IncomingMessage, res: ServerResponse): void {
    const t0 = this.http.begin();
    const method = req.method ?? 'GET';
    const requestBytes = byteCount(req.headers['content-length']);
    res.on('close', () => this.end(req, res, t0, method, requestBytes));
  }

  /** @internal */
  end(req: IncomingMessage, res: ServerResponse, t0: number, method: string, requestBytes: number): void {
    this.http.end(t0, this.http.route(this.resolve(req)), method, res.statusCode, requestBytes, byteCount(res.getHeader('content-length')));
  }
}

/**
 * Instruments a plain `node:http` (or `https`) server: a listener is
 * prepended to `request`, so it runs before the application's handler and
 * needs no change to it.
 */
export function instrumentNodeServer(server: Server, obs: Vigil, opts: NodeInstrumentOptions = {}): void {
  const exchanges = new ExchangeObserver(obs.http, opts.route ?? (() => undefined));
  const ignore = new Set(opts.ignore ?? OWN_PATHS);
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (ignore.has(pathOf(req.url))) return;
    // enterWith: the application's listener runs next in this same
    // synchronous emit, so it (and what it schedules) sees the context.
    obs.context.enterWith(obs.context.fromHeaders(req.headers));
    exchanges.observe(req, res);
  });
}
