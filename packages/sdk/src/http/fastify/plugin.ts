import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteSeries } from '../../metrics/http-metrics.ts';
import type { Vigil } from '../../vigil.ts';
import { ExchangeObserver } from '../node/exchanges.ts';
import { OWN_PATHS } from '../node/instrument.ts';
import { byteCount } from '../node/sizes.ts';

/** Options of {@link instrumentFastify}. */
export interface FastifyInstrumentOptions {
  /** Paths not recorded (default: the SDK's own endpoints). */
  ignore?: Iterable<string>;
  /** Serve `/metrics`, `/livez`, `/readyz` and `/healthz` on this app (default true). */
  endpoints?: boolean;
}

type HeaderValue = ReturnType<FastifyReply['getHeader']>;

/** The object's own symbol-keyed property described `description`, or null (Fastify's internals are keyed by such symbols). */
function ownSymbol(obj: object, description: string): symbol | null {
  return Object.getOwnPropertySymbols(obj).find((s) => s.description === description) ?? null;
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
 * Instruments a Fastify instance: HTTP metrics labelled with the route
 * template (`/users/:id`), never the raw URL (requests no route matched
 * share `unmatched`); a logging context per request; route errors captured;
 * and the SDK's endpoints served.
 *
 * Per request this is one `onRequest` hook; the response's end is seen as
 * {@link ExchangeObserver} sees it (Node's diagnostics channel, and the
 * connection's close for requests the client abandons, which still count
 * and leave the in-flight gauge). No `onResponse` hook: with one, Fastify
 * attaches its own two response listeners and a closure to every request.
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
  const routeUrl = routeUrlReader();
  const replyLength = replyLengthReader();
  const exchanges = new ExchangeObserver(http, () => undefined, (_res, reply) => byteCount(replyLength(reply as FastifyReply)));
  // Route template (undefined: no route matched) -> its series, or null for
  // an ignored path: one lookup per request. Bounded by the app's routes.
  const seriesOf = new Map<string | undefined, RouteSeries | null>();
  // A callback-style hook: an async one costs a promise per request.
  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const url = routeUrl(req);
    let series = seriesOf.get(url);
    if (series === undefined) {
      series = url !== undefined && ignore.has(url) ? null : http.route(url);
      seriesOf.set(url, series);
    }
    if (series === null) return done();
    // No request decoration: Fastify copies every decoration onto each new
    // request in a loop whose keyed store V8 cannot specialise.
    exchanges.observe(req.raw, reply.raw, series, reply);
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
