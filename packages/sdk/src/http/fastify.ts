import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Vigil } from '../vigil.ts';

const START = Symbol('vigil.start');

/**
 * Records HTTP metrics for every Fastify route, labelled with the route
 * template (`/users/:id`), never the raw URL; unmatched requests share the
 * route value `unmatched`.
 */
export function instrumentFastify(app: FastifyInstance, obs: Vigil): void {
  app.addHook('onRequest', async (req: FastifyRequest) => {
    (req as unknown as Record<symbol, number>)[START] = performance.now();
    obs.http.inFlight.inc({ method: req.method });
  });
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const started = (req as unknown as Record<symbol, number>)[START] ?? performance.now();
    const template = req.routeOptions.url;
    const route = obs.routeLabel.value(template ?? 'unmatched');
    const labels = { method: req.method, route, status: String(reply.statusCode) };
    obs.http.inFlight.dec({ method: req.method });
    obs.http.requests.inc(labels);
    obs.http.duration.observe(labels, (performance.now() - started) / 1000);
  });
}
