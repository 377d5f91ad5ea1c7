import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Vigil } from '../../vigil.ts';
import { serveOwnEndpoint } from '../node/endpoints.ts';
import { ExchangeObserver, OWN_PATHS, pathOf } from '../node/instrument.ts';

/** The parts of an Express request the middleware reads (Express 4 and 5). */
interface ExpressLikeRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: string | RegExp };
  path?: string;
}

/** Options of {@link expressMiddleware}. */
export interface ExpressInstrumentOptions {
  /** Paths not recorded (default: the SDK's own endpoints). */
  ignore?: Iterable<string>;
  /** Serve `/metrics`, `/livez`, `/readyz` and `/healthz` (default true). */
  endpoints?: boolean;
}

/** What the `route` accessor saw: the matched route and the mount path then in effect. */
interface Matched {
  route: ExpressLikeRequest['route'];
  mount: string | undefined;
}

/**
 * Per request, kept outside the request object: adding properties to
 * Express's `req` (in particular with a computed key, such as a symbol)
 * turns it into a slow dictionary-mode object for the rest of the request.
 */
const matched = new WeakMap<IncomingMessage, Matched>();

function routeOf(r: ExpressLikeRequest): string | undefined {
  const m = matched.get(r);
  const path = m === undefined ? r.route?.path : m.route?.path;
  if (path === undefined) return undefined;
  const mount = (m === undefined ? undefined : m.mount) ?? r.baseUrl ?? '';
  const p = typeof path === 'string' ? path : String(path);
  // No concatenation for app-level routes: the template stays the route's own
  // string, whose hash the series lookup has already computed.
  return mount === '' ? p : mount + p;
}

const PATCHED = Symbol('vigil.patched');

/**
 * Express restores `req.baseUrl` when an error leaves a router, so by the
 * time the response finishes the mount path is gone. Remember the baseUrl in
 * effect when Express assigns `req.route` (that is, when a route matched).
 *
 * The accessor goes on the request prototype (Express's per-app
 * `app.request`) once, not on each request: defining a property per request
 * would push every request object into slow dictionary mode.
 */
function trackMount(r: ExpressLikeRequest): void {
  const proto = Object.getPrototypeOf(r) as Record<symbol, unknown> | null;
  if (proto === null || proto[PATCHED] === true || proto === Object.prototype) return;
  const own = Object.getOwnPropertyDescriptor(proto, 'route');
  if (own !== undefined && !own.configurable) return;
  Object.defineProperty(proto, PATCHED, { value: true });
  Object.defineProperty(proto, 'route', {
    configurable: true,
    enumerable: true,
    get(this: ExpressLikeRequest) {
      return matched.get(this)?.route;
    },
    set(this: ExpressLikeRequest, v: ExpressLikeRequest['route']) {
      const m = matched.get(this);
      if (m === undefined) matched.set(this, { route: v, mount: this.baseUrl });
      else {
        m.route = v;
        m.mount = this.baseUrl;
      }
    },
  });
}

/**
 * Express middleware; mount it first (`app.use(expressMiddleware(obs))`).
 * Records HTTP metrics with the matched route's template joined to its
 * router's mount path (`/api` + `/users/:id`, read when the response
 * finishes; no match is `unmatched`), runs the rest of the chain in the
 * request's logging context, and serves the SDK's endpoints.
 */
export function expressMiddleware(obs: Vigil, opts: ExpressInstrumentOptions = {}) {
  const ignore = new Set(opts.ignore ?? OWN_PATHS);
  const endpoints = opts.endpoints ?? true;
  const exchanges = new ExchangeObserver(obs.http, routeOf);
  const context = obs.context;
  const withContext = obs.requestContext;
  return function vigilExpress(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void {
    if (endpoints && serveOwnEndpoint(obs, req, res)) return;
    if (!ignore.has(pathOf(req.url))) {
      trackMount(req);
      exchanges.observe(res);
    }
    if (!withContext) return next();
    const ctx = context.fromHeaders(req.headers);
    res.setHeader('x-request-id', ctx.requestId);
    // No closure per request: run() passes next its (absent) arguments.
    context.run(ctx, next);
  };
}

/**
 * Express error middleware capturing route errors (`errors_total`, log,
 * sinks) before passing them on; mount it after your routes.
 */
export function expressErrorHandler(obs: Vigil) {
  return function vigilExpressErrors(err: unknown, req: IncomingMessage, _res: ServerResponse, next: (err?: unknown) => void): void {
    void obs.errors.capture(err, { type: 'route', context: { method: req.method, route: routeOf(req) ?? 'unmatched' } });
    next(err);
  };
}
