import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteSeries } from '../../metrics/http-metrics.ts';
import type { RequestContext } from '../../logging/context.ts';
import type { Vigil } from '../../vigil.ts';
import { ExchangeObserver } from '../node/exchanges.ts';
import { OWN_PATHS } from '../node/instrument.ts';
import { ownSymbol } from '../node/own-symbol.ts';
import { byteCount } from '../node/sizes.ts';

/** Options of {@link instrumentFastify}. */
export interface FastifyInstrumentOptions {
  /** Paths not recorded (default: the SDK's own endpoints). */
  ignore?: Iterable<string>;
  /** Serve `/metrics`, `/livez`, `/readyz` and `/healthz` on this app (default true). */
  endpoints?: boolean;
  /**
   * Where a request's start is seen: `'auto'` (default) from Fastify's log
   * controller where Fastify has one (5.10 and later), else from an
   * `onRequest` hook; `'hook'` always from the hook.
   */
  start?: 'auto' | 'hook';
}

type HeaderValue = ReturnType<FastifyReply['getHeader']>;

/**
 * Reads the matched route's template. `request.routeOptions` builds a fresh
 * object (and looks up the server's body limit and constraint strategies)
 * on every access, so the template is read from the route context it is
 * built from: Fastify keeps it under a symbol described `fastify.context`
 * (Fastify 4 and 5), found once on the first request. Undefined means the
 * 404 handler ran.
 */
function routeUrlReader(): (req: FastifyRequest) => string | undefined {
  let key: symbol | null | undefined;
  return (req) => {
    if (key === undefined) {
      key = ownSymbol(req, 'fastify.context');
      const ctx = key === null ? undefined : (req as unknown as Record<symbol, { config?: { url?: unknown } } | undefined>)[key];
      if (ctx?.config?.url !== req.routeOptions.url) key = null;
    }
    if (key === null) return req.is404 ? undefined : req.routeOptions.url;
    return (req as unknown as Record<symbol, { config?: { url?: string } }>)[key]!.config?.url;
  };
}

/**
 * Reads the `content-length` a reply sent. `reply.getHeader()` lower-cases
 * its argument on every call; the header object it reads (Fastify 4 and 5
 * keep it under a symbol described `fastify.reply.headers`, found once) is
 * read directly. Falls back to `getHeader()` when the symbol is not there or
 * the header was set on the raw response.
 */
function replyLengthReader(): (reply: FastifyReply) => HeaderValue {
  let key: symbol | null | undefined;
  return (reply) => {
    if (key === undefined) key = ownSymbol(reply, 'fastify.reply.headers');
    const headers = key === null ? undefined : (reply as unknown as Record<symbol, Record<string, HeaderValue> | undefined>)[key];
    return headers?.['content-length'] ?? reply.getHeader('content-length');
  };
}

/**
 * Sets a response header the way `reply.header()` does for any header but
 * `set-cookie`, without its lower-casing of the name on every call: into
 * the header object Fastify keeps under a symbol described
 * `fastify.reply.headers` (found once). `name` must be lower case. Falls
 * back to `reply.header()` where that symbol is not there.
 */
function replyHeaderWriter(name: string): (reply: FastifyReply, value: string) => void {
  let key: symbol | null | undefined;
  return (reply, value) => {
    if (key === undefined) key = ownSymbol(reply, 'fastify.reply.headers');
    const headers = key === null ? undefined : (reply as unknown as Record<symbol, Record<string, HeaderValue> | undefined>)[key];
    if (headers !== undefined) headers[name] = value;
    else void reply.header(name, value);
  };
}

/** What {@link instrumentFastify} calls when a request starts. */
type StartFn = (req: FastifyRequest, reply: FastifyReply) => void;

/**
 * Sees each request's start from Fastify's log controller (Fastify 5.10
 * and later: the object it asks to log every incoming request, kept on the
 * instance under a symbol described `fastify.logController` and reached
 * from every encapsulated child instance through their prototypes). The
 * instance's controller is replaced by one that inherits from it (the
 * user's own `logController` included) and calls `start` before its
 * `incomingRequest`. Fastify calls it where it would run `onRequest`
 * hooks, for routed requests, 404s and the framework errors that build a
 * request, without its hook runner and the closures it makes per request
 * (an empty hook measured +1.9% of a hello-world's CPU time, the hook start
 * 0.8 points more than this one in paired sets: within the bench's noise,
 * docs/sdk-overhead.md), and it also sees requests that no hook sees. Fastify
 * 5.10 to 5.12 call it for every such request whatever the logging
 * settings (the controller itself checks them); a later major may not, so
 * only Fastify 5 is instrumented this way. False when this Fastify has no
 * log controller or is not Fastify 5.
 */
function startFromLogController(app: FastifyInstance, start: StartFn): boolean {
  if (!/^5\./.test(app.version)) return false;
  const key = ownSymbol(app, 'fastify.logController');
  type Controller = { incomingRequest(request: FastifyRequest, reply: FastifyReply, metadata?: unknown): void };
  const controller = key === null ? undefined : (app as unknown as Record<symbol, Controller | undefined>)[key];
  if (key === null || typeof controller?.incomingRequest !== 'function') return false;
  const incoming = controller.incomingRequest;
  const wrapped: Controller = Object.create(controller);
  wrapped.incomingRequest = function vigilIncomingRequest(request, reply, metadata) {
    start(request, reply);
    incoming.call(this, request, reply, metadata);
  };
  (app as unknown as Record<symbol, Controller>)[key] = wrapped;
  return true;
}

/**
 * Instruments a Fastify instance: HTTP metrics labelled with the route
 * template (`/users/:id`), never the raw URL (requests no route matched
 * share `unmatched`); a logging context per request; route errors captured;
 * and the SDK's endpoints served.
 *
 * Per request: the start is seen from Fastify's log controller (see
 * {@link startFromLogController}; an `onRequest` hook on Fastify without
 * one), the request context runs from an `onRequest` hook when it is on,
 * and the response's end is seen as {@link ExchangeObserver} sees it
 * (Node's diagnostics channel, and the connection's close for requests the
 * client abandons, which still count and leave the in-flight gauge). No
 * `onResponse` hook: with one, Fastify attaches its own two response
 * listeners and a closure to every request.
 *
 * Call it on the root instance before registering routes, so the hooks
 * apply to every route (Fastify encapsulates hooks per plugin).
 */
export function instrumentFastify(app: FastifyInstance, obs: Vigil, opts: FastifyInstrumentOptions = {}): void {
  const http = obs.http;
  const context = obs.context;
  const withContext = obs.requestContext;
  const ignore = new Set(opts.ignore ?? OWN_PATHS);
  if (opts.endpoints ?? true) {
    app.get('/metrics', async (req, reply) => {
      const { body, contentType } = await obs.render(req.headers.accept);
      return reply.type(contentType).send(body);
    });
    for (const [path, kind] of [['/livez', 'livez'], ['/readyz', 'readyz'], ['/healthz', 'healthz']] as const) {
      app.get(path, (req, reply) => {
        reply.hijack();
        obs.healthHandlers[kind](req.raw, reply.raw);
      });
    }
  }
  const routeUrl = routeUrlReader();
  const replyLength = replyLengthReader();
  const exchanges = new ExchangeObserver(http, () => undefined, (_res, reply) => byteCount(replyLength(reply as FastifyReply)));
  // Route template (undefined: no route matched) -> its series, or null for
  // an ignored path: one lookup per request. Bounded by the app's routes.
  const seriesOf = new Map<string | undefined, RouteSeries | null>();
  // The template found last and its series, which skips the Map probe while
  // requests keep hitting one route.
  let lastUrl: unknown = seriesOf;
  let lastSeries: RouteSeries | null = null;
  const seriesFor = (req: FastifyRequest): RouteSeries | null => {
    const url = routeUrl(req);
    if (url === lastUrl) return lastSeries;
    let series = seriesOf.get(url);
    if (series === undefined) {
      series = url !== undefined && ignore.has(url) ? null : http.route(url);
      seriesOf.set(url, series);
    }
    lastUrl = url;
    lastSeries = series;
    return series;
  };
  const setRequestId = replyHeaderWriter('x-request-id');
  const contextOf = (req: FastifyRequest, reply: FastifyReply): RequestContext => {
    const ctx = context.fromHeaders(req.headers);
    setRequestId(reply, ctx.requestId);
    return ctx;
  };
  // Where AsyncContextFrame carries the context (Node 24), it is entered
  // from the start as well, with enterWith (see below); elsewhere from an
  // onRequest hook with run().
  let enterAtStart = false;
  const start: StartFn = (req, reply) => {
    const series = seriesFor(req);
    // No request decoration: Fastify copies every decoration onto each new
    // request in a loop whose keyed store V8 cannot specialise.
    if (series !== null) {
      exchanges.observe(req.raw, reply.raw, series, reply);
      if (enterAtStart) context.enterWith(contextOf(req, reply));
    } else if (enterAtStart && context.get() !== undefined) context.leave();
  };
  const started = (opts.start ?? 'auto') === 'auto' && startFromLogController(app, start);
  // From the log controller Fastify runs the request's hooks and handler
  // right after, in the same synchronous run, so a context entered there
  // is current for them and for everything they schedule (see
  // ContextStore.framed); and no hook runner per request.
  enterAtStart = started && withContext && context.framed;
  if (!started || (withContext && !enterAtStart)) {
    // A callback-style hook: an async one costs a promise per request.
    app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (!started) start(req, reply);
      if (!withContext || seriesFor(req) === null) return done();
      // The rest of the request (hooks, handler, what they schedule) runs
      // from done(), so it sees the context.
      context.run(contextOf(req, reply), done);
    });
  }
  app.addHook('onError', (req: FastifyRequest, _reply: FastifyReply, err: Error, done: () => void) => {
    void obs.errors.capture(err, { type: 'route', context: { method: req.method, route: routeUrl(req) ?? 'unmatched' } });
    done();
  });
}
