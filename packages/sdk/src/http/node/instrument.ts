import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Vigil } from '../../vigil.ts';
import { ExchangeObserver, type RouteResolver } from './exchanges.ts';
import { PathSet } from './path-set.ts';

export type { RouteResolver } from './exchanges.ts';

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
 * Instruments a plain `node:http` (or `https`) server: a listener is
 * prepended to `request`, so it runs before the application's handler and
 * needs no change to it. Requests get a logging context where
 * `obs.requestContext` is on.
 */
export function instrumentNodeServer(server: Server, obs: Vigil, opts: NodeInstrumentOptions = {}): void {
  const exchanges = new ExchangeObserver(obs.http, opts.route ?? (() => undefined));
  const ignore = new PathSet(opts.ignore ?? OWN_PATHS);
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (ignore.has(pathOf(req.url))) return;
    // enterWith: the application's listener runs next in this same
    // synchronous emit, so it (and what it schedules) sees the context.
    // Only where obs.requestContext is on, as in the framework adapters.
    if (obs.requestContext) obs.context.enterWith(obs.context.fromHeaders(req.headers));
    exchanges.observe(req, res);
  });
}
