import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteSeries } from '../../metrics/http-metrics.ts';
import type { Vigil } from '../../vigil.ts';
import { OWN_PATHS } from '../node/instrument.ts';
import { byteCount } from '../node/sizes.ts';

// Request decorations declared up front keep Fastify's Request objects one
// shape (adding a property per request would make them polymorphic).
const T0 = 'vigilT0';
const SERIES = 'vigilSeries';

type Timed = FastifyRequest & { [T0]: number; [SERIES]: RouteSeries | null };

/** Options of {@link instrumentFastify}. */
export interface FastifyInstrumentOptions {
  /** Paths not recorded (default: the SDK's own endpoints). */
  ignore?: Iterable<string>;
  /** Serve `/metrics`, `/livez`, `/readyz` and `/healthz` on this app (default true). */
  endpoints?: boolean;
}

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
      key = Object.getOwnPropertySymbols(req).find((s) => s.description === 'fastify.context') ?? null;
      const ctx = key === null ? undefined : (req as unknown as Record<symbol, { config?: { url?: unknown } } | undefined>)[key];
      if (ctx?.config?.url !== req.routeOptions.url) key = null;
    }
    if (key === null) return req.is404 ? undefined : req.routeOptions.url;
    return (req as unknown as Record<symbol, { config?: { url?: string } }>)[key]!.config?.url;
  };
}

/**
 * Instruments a Fastify instance: HTTP metrics labelled with the route
 * template (`/users/:id`), never the raw URL (requests no route matched
 * share `unmatched`); a logging context per request; route errors captured;
 * and the SDK's endpoints served.
 *
 * Per request this is one `onRequest` hook and one listener for the raw
 * response's `close` event (which Node emits after `finish`, and also when
 * the client goes away first, so aborted requests are counted and leave the
 * in-flight gauge). No `onResponse` hook: with one, Fastify attaches its own
 * two response listeners and a closure to every request.
 *
 * Call it on the root instance before registering routes, so the hook
 * applies to every route (Fastify encapsulates hooks per plugin).
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
  if (!app.hasRequestDecorator(T0)) app.decorateRequest(T0, -1);
  if (!app.hasRequestDecorator(SERIES)) app.decorateRequest(SERIES, null);
  const routeUrl = routeUrlReader();
  function end(req: Timed, reply: FastifyReply): void {
    http.end(req[T0], req[SERIES]!, req.raw.method ?? 'GET', reply.statusCode, byteCount(req.headers['content-length']), byteCount(reply.getHeader('content-length')));
  }
  // A callback-style hook: an async one costs a promise per request.
  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const url = routeUrl(req);
    if (url !== undefined && ignore.has(url)) return done();
    const r = req as Timed;
    r[SERIES] = http.route(url);
    r[T0] = http.begin();
    // A closure, not a property on the raw response: a symbol-keyed property
    // added to a ServerResponse turns it into a dictionary-mode object.
    reply.raw.on('close', () => end(r, reply));
    if (!withContext) return done();
    const ctx = context.fromHeaders(req.headers);
    void reply.header('x-request-id', ctx.requestId);
    // The rest of the request (hooks, handler, what they schedule) runs from
    // done(), so it sees the context.
    context.run(ctx, done);
  });
  app.addHook('onError', (req: FastifyRequest, _reply: FastifyReply, err: Error, done: () => void) => {
    void obs.errors.capture(err, { type: 'route', context: { method: req.method, route: routeUrl(req) ?? 'unmatched' } });
    done();
  });
}
