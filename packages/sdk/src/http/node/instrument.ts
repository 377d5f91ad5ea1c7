import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { HttpMetrics } from '../../metrics/http-metrics.ts';
import type { Vigil } from '../../vigil.ts';
import { requestBytes, responseBytes } from './sizes.ts';

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

/** Records one node:http exchange; called by every adapter built on node:http. */
export function observeExchange(http: HttpMetrics, req: IncomingMessage, res: ServerResponse, route: () => string | undefined): void {
  const end = http.start();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    // An aborted request still counts, with the status the handler had set.
    end({ method: req.method ?? 'GET', route: route(), status: res.statusCode, requestBytes: requestBytes(req), responseBytes: responseBytes(res) });
  };
  res.once('finish', finish);
  res.once('close', finish);
}

/**
 * Instruments a plain `node:http` (or `https`) server: a listener is
 * prepended to `request`, so it runs before the application's handler and
 * needs no change to it.
 */
export function instrumentNodeServer(server: Server, obs: Vigil, opts: NodeInstrumentOptions = {}): void {
  const resolve = opts.route ?? (() => undefined);
  const ignore = new Set(opts.ignore ?? OWN_PATHS);
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    if (ignore.has(path)) return;
    // enterWith: the application's listener runs next in this same
    // synchronous emit, so it (and what it schedules) sees the context.
    obs.context.enterWith(obs.context.fromHeaders(req.headers));
    observeExchange(obs.http, req, res, () => resolve(req));
  });
}
