import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import type { Logger } from '@vigil/core';
import type { Registry } from 'prom-client';

export interface WebOptions {
  logger: Logger;
  /** Registry whose metrics `/metrics` exposes. */
  registry: Registry;
  /** Directory of the built UI (index.html + assets); the UI routes are skipped when absent. */
  uiDir?: string;
  /** Allow `/-/reload` and `/-/quit` over HTTP (Prometheus's `--web.enable-lifecycle`). */
  enableLifecycle: boolean;
  /** True once every subsystem has started; drives `/-/ready`. */
  ready: () => boolean;
  reload: () => Promise<void>;
  quit: () => void;
}

/**
 * Builds the Fastify instance that carries the UI, the APIs, `/metrics` and
 * the lifecycle endpoints. Route groups are registered by `app/` after this
 * returns; listening is the caller's job.
 */
export async function createWebServer(opts: WebOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.logger as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // PromQL in query strings and remote-write bodies can be large.
    bodyLimit: 64 * 1024 * 1024,
    routerOptions: { maxParamLength: 1000 },
  });
  await app.register(formbody);

  app.get('/-/healthy', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('Vigil Server is Healthy.\n'));
  app.get('/-/ready', async (_req, reply) =>
    opts.ready()
      ? reply.type('text/plain; charset=utf-8').send('Vigil Server is Ready.\n')
      : reply.code(503).type('text/plain; charset=utf-8').send('Service Unavailable'),
  );

  const reload = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    if (!opts.enableLifecycle) return reply.code(403).type('text/plain; charset=utf-8').send('Lifecycle API is not enabled.');
    try {
      await opts.reload();
      return reply.code(200).send();
    } catch (err) {
      return reply.code(500).type('text/plain; charset=utf-8').send(`failed to reload config: ${(err as Error).message}`);
    }
  };
  app.post('/-/reload', reload);
  app.put('/-/reload', reload);
  const quit = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    if (!opts.enableLifecycle) return reply.code(403).type('text/plain; charset=utf-8').send('Lifecycle API is not enabled.');
    setImmediate(opts.quit);
    return reply.type('text/plain; charset=utf-8').send('Requesting termination... Goodbye!');
  };
  app.post('/-/quit', quit);
  app.put('/-/quit', quit);

  app.get('/metrics', async (req, reply) => {
    const accept = String(req.headers.accept ?? '');
    if (accept.includes('application/openmetrics-text')) {
      opts.registry.setContentType('application/openmetrics-text; version=1.0.0; charset=utf-8' as never);
    } else {
      opts.registry.setContentType('text/plain; version=0.0.4; charset=utf-8' as never);
    }
    const body = await opts.registry.metrics();
    return reply.type(opts.registry.contentType).send(body);
  });

  const uiDir = opts.uiDir;
  const hasUi = uiDir !== undefined && existsSync(join(uiDir, 'index.html'));
  if (hasUi) {
    await app.register(fastifyStatic, { root: uiDir, prefix: '/', wildcard: false, index: ['index.html'] });
  }
  app.setNotFoundHandler((req, reply) => {
    const url = req.url;
    if (url.startsWith('/api/') || url.startsWith('/-/') || req.method !== 'GET' || !hasUi) {
      if (!hasUi && req.method === 'GET' && !url.startsWith('/api/') && !url.startsWith('/-/')) {
        return reply
          .code(404)
          .type('text/plain; charset=utf-8')
          .send('The Vigil UI is not built. Run `npm run build` (npm start does this for you).\n');
      }
      return reply.code(404).type('text/plain; charset=utf-8').send('404 page not found\n');
    }
    // Client-side routes (/query, /targets, …) all render the single-page app.
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
  return app;
}
