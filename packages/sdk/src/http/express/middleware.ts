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

/** What the `route` accessor saw: the matched route and the mount path (`req.baseUrl`) then in effect. */
interface Matched {
  route: ExpressLikeRequest['route'];
  mount: string | undefined;
}

/** The same, as two plain named properties on the request. */
interface Tracked extends ExpressLikeRequest {
  vigilRoute?: ExpressLikeRequest['route'];
  vigilMount?: string;
}

/**
 * Where the accessor keeps what it saw, chosen by V8 version (measured with
 * CPU profiles of an Express hello-world, per request):
 * - V8 13 and later (Node 24): two named properties (`req.vigilRoute = v`
 *   in the source) are added the fast way, through V8's transition tree;
 *   a WeakMap entry instead cost about 0.6 µs plus 0.5 µs of garbage
 *   collection (ephemeron processing).
 * - V8 11 (Node 20): the same named stores cost about 3.5 µs (the request
 *   object, which Node and Express have already given many properties, is
 *   rebuilt each time), so a WeakMap keeps them there.
 * Either way nothing symbol-keyed goes on the request: a computed-key store
 * turns such an object into a slow dictionary-mode one.
 */
const NAMED_SLOTS_BY_DEFAULT = Number(process.versions.v8.split('.')[0]) >= 13;
let namedSlots = NAMED_SLOTS_BY_DEFAULT;

/**
 * @internal Picks the storage regardless of the V8 version, so tests cover
 * both on any Node; no argument restores the choice for this V8.
 */
export function useNamedRouteSlots(on: boolean = NAMED_SLOTS_BY_DEFAULT): void {
  namedSlots = on;
}
const matched = new WeakMap<IncomingMessage, Matched>();

function routeOf(r: ExpressLikeRequest): string | undefined {
  let route: ExpressLikeRequest['route'];
  let mount: string | undefined;
  if (namedSlots) {
    route = (r as Tracked).vigilRoute;
    mount = (r as Tracked).vigilMount;
  } else {
    const m = matched.get(r);
    route = m?.route;
    mount = m?.mount;
  }
  // Not seen by the accessor (it could not be installed): what the request has now.
  const path = route === undefined ? r.route?.path : route.path;
  if (path === undefined) return undefined;
  const base = (route === undefined ? undefined : mount) ?? r.baseUrl ?? '';
  const p = typeof path === 'string' ? path : String(path);
  // No concatenation for app-level routes: the template stays the route's own
  // string, whose hash the series lookup has already computed.
  return base === '' ? p : base + p;
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
    get(this: Tracked) {
      return namedSlots ? this.vigilRoute : matched.get(this)?.route;
    },
    set(this: Tracked, v: ExpressLikeRequest['route']) {
      if (namedSlots) {
        this.vigilRoute = v;
        this.vigilMount = this.baseUrl;
        return;
      }
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
    const path = pathOf(req.url);
    if (endpoints && serveOwnEndpoint(obs, req, res, path)) return;
    if (!ignore.has(path)) {
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
