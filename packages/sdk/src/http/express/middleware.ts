import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Vigil } from '../../vigil.ts';
import { buildWithAppPrototypes } from './app-prototypes.ts';
import { serveOwnEndpoint } from '../node/endpoints.ts';
import { ExchangeObserver } from '../node/exchanges.ts';
import { OWN_PATHS, pathOf } from '../node/instrument.ts';
import { PathSet } from '../node/path-set.ts';

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
  /**
   * Have the server build requests and responses with the app's prototypes
   * from the start, so that they share V8 hidden classes instead of getting
   * new ones each on Node before 24 (default true; see
   * `docs/sdk.md#express-request-shapes`). Applied to a server whose request
   * listener is the app itself (`app.listen()`, `http.createServer(app)`)
   * and that builds Node's own request classes.
   */
  appPrototypes?: boolean;
}

/** A route object of Express's router (Express 4 and 5). */
interface RouteLike {
  path?: string | RegExp;
  dispatch?: (...args: unknown[]) => unknown;
}

/**
 * The mount path each route object was dispatched under, learnt when it
 * matches (null: seen under more than one). Express restores `req.baseUrl`
 * when an error leaves a router, so by the time such a response finishes
 * the mount path is gone from the request; the route object remembers it.
 * Keyed by the long-lived route objects, so in the steady state this is a
 * read per request and no write: a per-request entry (a WeakMap keyed by
 * the request, as before 3 Dec 2026) cost about 2 µs per request on Node 20,
 * in `WeakMap.prototype.set` and the garbage of its ephemerons.
 */
const mounts = new WeakMap<object, string | null>();
/**
 * Whether any route has learnt a mount path: until one has (an app with
 * routes on the app itself only), a request's end skips the `WeakMap` probe.
 */
let anyMount = false;
/** Requests on which the middleware looks for the route prototype before it gives up. */
const PATCH_LOOKUPS = 64;
/** Requests on which the middleware tries to have their server build them with the app's prototypes. */
const SHAPE_TRIES = 16;
const dispatchPatched = new WeakSet<object>();

function learnMount(route: object, base: string): void {
  const m = mounts.get(route);
  if (m === base || m === null) return;
  mounts.set(route, m === undefined ? base : null);
  anyMount = true;
}

/** The router of an Express app, without creating one (Express 4: `_router`; 5: `router`, whose getter creates it). */
function routerOf(app: unknown): { stack?: Array<{ route?: RouteLike; handle?: unknown }> } | undefined {
  if (app === null || typeof app !== 'function') return undefined;
  const a = app as unknown as { _router?: unknown; router?: unknown };
  if (a._router !== undefined) return a._router as ReturnType<typeof routerOf>;
  try {
    return a.router as ReturnType<typeof routerOf>;
  } catch {
    return undefined; // Express 4 throws on `app.router`.
  }
}

/** The prototype of the app's route objects, found in its router's stack (or a mounted router's), or undefined when it has no route yet. */
function routeProto(router: ReturnType<typeof routerOf>, depth = 0): object | undefined {
  for (const layer of router?.stack ?? []) {
    if (layer.route !== undefined) return Object.getPrototypeOf(layer.route) as object;
    const nested = layer.handle as ((...args: unknown[]) => unknown) & { stack?: unknown };
    if (depth < 4 && typeof nested === 'function' && Array.isArray(nested.stack)) {
      const p = routeProto(nested as ReturnType<typeof routerOf>, depth + 1);
      if (p !== undefined) return p;
    }
  }
  return undefined;
}

/**
 * Wraps the route prototype's `dispatch` (once per prototype, which Express's
 * router shares between apps) so a matched route learns the mount path then
 * in effect. True once done; false while the app has no route to find the
 * prototype from, or it could not be wrapped.
 */
function patchDispatch(app: unknown): boolean {
  const proto = routeProto(routerOf(app)) as RouteLike | undefined;
  if (proto === undefined || typeof proto.dispatch !== 'function') return false;
  if (dispatchPatched.has(proto)) return true;
  const dispatch = proto.dispatch;
  proto.dispatch = function vigilDispatch(this: object, req: unknown) {
    const base = (req as ExpressLikeRequest).baseUrl;
    if (base) learnMount(this, base);
    // eslint-disable-next-line prefer-rest-params
    return dispatch.apply(this, arguments as unknown as unknown[]);
  };
  dispatchPatched.add(proto);
  return true;
}

function routeOf(r: ExpressLikeRequest): string | undefined {
  const route = r.route;
  const path = route?.path;
  if (path === undefined) return undefined;
  // Inside a router that answered, req.baseUrl is still its mount path; after
  // an error left it, Express has restored it and the route's learnt one applies.
  const base = r.baseUrl || (anyMount && mounts.get(route!)) || '';
  const p = typeof path === 'string' ? path : String(path);
  // No concatenation for app-level routes: the template stays the route's own
  // string, whose hash the series lookup has already computed.
  return base === '' ? p : base + p;
}

/**
 * What both Express forms do as a request arrives: serve the SDK's own
 * endpoints (true: answered, the app does not see it), start recording, and
 * look for the route prototype to wrap on the first requests.
 */
function arrivals(obs: Vigil, opts: ExpressInstrumentOptions, app?: unknown): (req: IncomingMessage, res: ServerResponse) => boolean {
  const ignore = new PathSet(opts.ignore ?? OWN_PATHS);
  const endpoints = opts.endpoints ?? true;
  const exchanges = new ExchangeObserver(obs.http, routeOf);
  // Looked for on the first requests only: an app with no route by then
  // (middleware only) should not walk its router's stack on every request.
  let lookups = PATCH_LOOKUPS;
  let shapeTries = (opts.appPrototypes ?? true) ? SHAPE_TRIES : 0;
  return (req, res) => {
    const path = pathOf(req.url);
    if (endpoints && serveOwnEndpoint(obs, req, res, path)) return true;
    if (lookups > 0) lookups = patchDispatch(app ?? (req as { app?: unknown }).app) ? 0 : lookups - 1;
    if (shapeTries > 0) shapeTries = shapeServer(app ?? (req as { app?: unknown }).app, (req.socket as { server?: Server } | null | undefined)?.server) ? 0 : shapeTries - 1;
    if (!ignore.has(path)) exchanges.observe(req, res);
    return false;
  };
}

/**
 * Has `server` build its requests with the app's prototypes
 * ({@link buildWithAppPrototypes}), when the app is that server's request
 * listener. True once done.
 */
function shapeServer(app: unknown, server: Server | undefined): boolean {
  if (typeof app !== 'function' || typeof server?.listeners !== 'function') return false;
  if (!server.listeners('request').includes(app as (...args: unknown[]) => void)) return false;
  const a = app as unknown as { request?: unknown; response?: unknown };
  return buildWithAppPrototypes(server, a.request, a.response);
}

/** Apps {@link instrumentExpress} shapes the servers of (`appPrototypes` on). */
const appsToShape = new WeakSet<object>();
/** Node publishes here when a server's `listen()` is called (the `net.server.listen` tracing channel; Node 20.20, 22.23 and 24.22 have it). */
const LISTEN_START = 'tracing:net.server.listen:asyncStart';
let listening = false;

/**
 * A server is starting to listen: if an instrumented app is its request
 * listener, it builds every request with the app's prototypes, the first
 * one included. Shaped only from the first request (where Node has no such
 * channel, or the server listened before the app was instrumented), that
 * request is built with Node's classes and re-prototyped by Express, and
 * its one-off hidden classes stay in the inline caches of every function it
 * ran through: in a hello-world, Node's `EventEmitter.init` stores went
 * megamorphic for every later response (V8's `--log-ic`, Node 20.20).
 */
function onListen(msg: unknown): void {
  try {
    const server = (msg as { server?: Server }).server;
    if (typeof server?.listeners !== 'function') return;
    for (const l of server.listeners('request')) if (appsToShape.has(l)) shapeServer(l, server);
  } catch {
    // Node rethrows a subscriber's error as an uncaught exception; the
    // server is then shaped from its first request, as without the channel.
  }
}

/**
 * Express middleware; mount it first (`app.use(expressMiddleware(obs))`).
 * Records HTTP metrics with the matched route's template joined to its
 * router's mount path (`/api` + `/users/:id`, read when the response
 * finishes; no match is `unmatched`), runs the rest of the chain in the
 * request's logging context, and serves the SDK's endpoints.
 * {@link instrumentExpress} does the same without a layer in the router.
 */
export function expressMiddleware(obs: Vigil, opts: ExpressInstrumentOptions = {}) {
  const arrive = arrivals(obs, opts);
  const context = obs.context;
  const withContext = obs.requestContext;
  return function vigilExpress(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void {
    if (arrive(req, res)) return;
    if (!withContext) return next();
    const ctx = context.fromHeaders(req.headers);
    res.setHeader('x-request-id', ctx.requestId);
    if (context.framed) {
      context.enterWith(ctx);
      return next();
    }
    // No closure per request: run() passes next its (absent) arguments.
    context.run(ctx, next);
  };
}

/** The part of an Express application {@link instrumentExpress} wraps. */
interface ExpressAppLike {
  handle(req: IncomingMessage, res: ServerResponse, callback?: (err?: unknown) => void): void;
}

const instrumentedApps = new WeakSet<object>();

/**
 * Instruments an Express application (4 or 5) as {@link expressMiddleware}
 * does, but from the application's entry point (`app.handle`, which the app
 * and a server created with it call for every request) rather than as the
 * first layer of its router: a layer costs each request a pass of the
 * router's matching loop. Call it once, on the application the server
 * serves (not on sub-applications mounted in it, whose requests it already
 * records). Returns the app.
 */
export function instrumentExpress<A extends (req: IncomingMessage, res: ServerResponse) => unknown>(express: A, obs: Vigil, opts: ExpressInstrumentOptions = {}): A {
  // `handle` is Express's own (4 and 5), not in its published types.
  const app = express as unknown as ExpressAppLike;
  if (instrumentedApps.has(app)) throw new Error('instrumentExpress: this application is already instrumented');
  if (typeof app.handle !== 'function') throw new TypeError('instrumentExpress: not an Express application (no handle())');
  instrumentedApps.add(app);
  if (opts.appPrototypes ?? true) {
    appsToShape.add(app);
    if (!listening) subscribe(LISTEN_START, onListen);
    listening = true;
  }
  const arrive = arrivals(obs, opts, app);
  const context = obs.context;
  const withContext = obs.requestContext;
  const handle = app.handle;
  app.handle = function vigilHandle(this: ExpressAppLike, req: IncomingMessage, res: ServerResponse, callback?: (err?: unknown) => void): void {
    if (arrive(req, res)) return;
    if (!withContext) return handle.call(this, req, res, callback);
    const ctx = context.fromHeaders(req.headers);
    res.setHeader('x-request-id', ctx.requestId);
    // See ContextStore.framed; run() would also cost a closure here.
    if (context.framed) {
      context.enterWith(ctx);
      return handle.call(this, req, res, callback);
    }
    context.run(ctx, () => handle.call(this, req, res, callback));
  };
  return express;
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
