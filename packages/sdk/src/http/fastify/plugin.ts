import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Vigil } from '../../vigil.ts';
import { OWN_PATHS } from '../node/instrument.ts';

// A request decoration declared up front keeps Fastify's Request objects one
// shape (adding a property per request would make them polymorphic).
const T0 = 'vigilT0';

type Timed = FastifyRequest & { [T0]: number };

/** Options of {@link instrumentFastify}. */
export interface FastifyInstrumentOptions {
  /** Paths not recorded (default: the SDK's own endpoints). */
  ignore?: Iterable<string>;
  /** Serve `/metrics`, `/livez`, `/readyz` and `/healthz` on this app (default true). */
  endpoints?: boolean;
}

/**
 * Instruments a Fastify instance: HTTP metrics labelled with the route
 * template (`/users/:id`), never the raw URL (requests no route matched
 * share `unmatched`); a logging context per request; route errors captured;
 * and the SDK's endpoints served.
 *
 * Call it on the root instance before registering routes, so the hooks
 * apply to every route (Fastify encapsulates hooks per plugin).
 */
export function instrumentFastify(app: FastifyInstance, obs: Vigil, opts: FastifyInstrumentOptions = {}): void {
  const http = obs.http;
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
  // Callback-style hooks: an async hook costs a promise per request, and
  // run(ctx, done) makes the context current for everything after this hook.
  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (ignore.has(req.routeOptions.url ?? '')) return done();
    (req as Timed)[T0] = http.begin();
    if (!obs.requestContext) return done();
    const ctx = obs.context.fromHeaders(req.headers);
    void reply.header('x-request-id', ctx.requestId);
    obs.context.run(ctx, done);
  });
  app.addHook('onError', (req: FastifyRequest, _reply: FastifyReply, err: Error, done: () => void) => {
    void obs.errors.capture(err, { type: 'route', context: { method: req.method, route: req.routeOptions.url ?? 'unmatched' } });
    done();
  });
  app.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const t0 = (req as Timed)[T0];
    if (t0 >= 0) {
      const len = reply.getHeader('content-length');
      const cl = req.headers['content-length'];
      http.finish(t0, {
        method: req.method,
        // routeOptions.url is the template; only the 404 handler ran when is404 is set.
        route: req.is404 ? undefined : req.routeOptions.url,
        status: reply.statusCode,
        requestBytes: cl === undefined ? undefined : Number(cl),
        responseBytes: len === undefined ? undefined : Number(len),
      });
    }
    done();
  });
}
