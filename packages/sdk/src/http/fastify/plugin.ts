import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpMetrics } from '../../metrics/http-metrics.ts';
import type { Vigil } from '../../vigil.ts';
import { OWN_PATHS } from '../node/instrument.ts';

const END = Symbol('vigil.end');

type Ended = FastifyRequest & { [END]?: ReturnType<HttpMetrics['start']> };

/** Options of {@link instrumentFastify}. */
export interface FastifyInstrumentOptions {
  /** Paths not recorded (default: the SDK's own endpoints). */
  ignore?: Iterable<string>;
  /** Serve `/metrics` on this app (default true). */
  exposeMetrics?: boolean;
}

/**
 * Records HTTP metrics for every route of a Fastify instance, labelled with
 * the route template (`/users/:id`), never the raw URL; requests no route
 * matched share the route value `unmatched`.
 *
 * Call it before registering routes' plugins so the hooks apply to all of
 * them (hooks are added to the instance passed in, as Fastify encapsulates).
 */
export function instrumentFastify(app: FastifyInstance, obs: Vigil, opts: FastifyInstrumentOptions = {}): void {
  const http = obs.http;
  if (opts.exposeMetrics ?? true) {
    app.get('/metrics', async (req, reply) => {
      const { body, contentType } = await obs.render(req.headers.accept);
      return reply.type(contentType).send(body);
    });
  }
  const ignore = new Set(opts.ignore ?? OWN_PATHS);
  // Callback-style hooks: an async hook costs a promise per request.
  app.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    if (!ignore.has(req.routeOptions.url ?? '')) (req as Ended)[END] = http.start();
    done();
  });
  app.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const end = (req as Ended)[END];
    if (end !== undefined) {
      const len = reply.getHeader('content-length');
      const cl = req.headers['content-length'];
      end({
        method: req.method,
        // routeOptions.url is the template; it is undefined when only the 404 handler ran.
        route: req.is404 ? undefined : req.routeOptions.url,
        status: reply.statusCode,
        requestBytes: cl === undefined ? undefined : Number(cl),
        responseBytes: len === undefined ? undefined : Number(len),
      });
    }
    done();
  });
}
