import { Agent, request } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { instrumentFastify, vigil } from '@vigil/sdk';

export interface DemoOptions {
  port?: number;
  host?: string;
  /** Requests per second the built-in traffic generator sends to itself (default 8). */
  trafficPerSecond?: number;
  /** A pino-compatible logger; the demo logs at debug only. */
  logger?: FastifyBaseLogger;
}

export interface Demo {
  url: string;
  metricsUrl: string;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const jitter = (min: number, max: number) => min + Math.random() * (max - min);

/**
 * A small API service instrumented with @vigil/sdk that makes its own
 * traffic, so a fresh `vigil start` has live data to graph. Its metrics are
 * named like the hand-built ones in real Node backends: HTTP RED metrics,
 * database query latency, cache hits and misses, AI token usage and cost.
 */
export async function startDemo(opts: DemoOptions = {}): Promise<Demo> {
  // The demo runs inside `vigil start`: it logs through the caller's logger
  // (or not at all) and keeps slow-request warnings off, as it is slow on purpose.
  const obs = vigil({ service: 'demo-api', logger: (opts.logger as Logger | undefined) ?? { level: 'silent' }, slowRequestMs: 0 });
  const m = obs.metrics;
  const query = (operation: string, table: string, ms: number) => m.timeQuery(operation, table, () => sleep(ms));

  // Fastify logs "Server listening" at info; inside `vigil start` that is
  // noise, so its logger only passes warnings and errors.
  const fastifyLogger: FastifyBaseLogger | undefined = opts.logger ? (opts.logger as Logger).child({}, { level: 'warn' }) : undefined;
  const app = Fastify({ loggerInstance: fastifyLogger, logController: new LogController({ disableRequestLogging: true }) });
  instrumentFastify(app, obs);
  opts.logger?.debug({ service: obs.service }, 'demo service instrumented');

  app.get('/api/users', async () => {
    await query('select', 'users', jitter(2, 30));
    return [{ id: 1, name: 'Ada' }];
  });
  app.get('/api/users/:id', async (req, reply) => {
    const id = Number((req.params as { id: string }).id);
    await query('select', 'users', jitter(1, 15));
    if (id % 7 === 0) return reply.code(404).send({ error: 'not found' });
    return { id, name: `user-${id}` };
  });
  app.post('/api/orders', async (_req, reply) => {
    await query('insert', 'orders', jitter(5, 60));
    if (Math.random() < 0.05) return reply.code(500).send({ error: 'payment provider timeout' });
    return reply.code(201).send({ ok: true });
  });
  app.get('/api/products', async () => {
    const hit = Math.random() < 0.8;
    m.cacheLookup('products', hit);
    if (!hit) await query('select', 'products', jitter(10, 80));
    return [{ sku: 'A-1' }];
  });
  app.post('/api/ai/chat', async () => {
    const model = Math.random() < 0.7 ? 'gpt-4o-mini' : 'claude-sonnet';
    const input = Math.round(jitter(50, 800));
    const output = Math.round(jitter(20, 400));
    m.aiUsage(model, { input, output, costUsd: (input * 0.15 + output * 0.6) / 1e6 });
    await sleep(jitter(50, 250));
    return { reply: '…' };
  });
  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const addr = app.server.address() as { port: number };
  const url = `http://${opts.host ?? '127.0.0.1'}:${addr.port}`;
  opts.logger?.debug({ url }, 'demo service listening');

  const calls: Array<[string, string]> = [
    ['GET', '/api/users'],
    ['GET', '/api/users/ID'],
    ['GET', '/api/users/ID'],
    ['POST', '/api/orders'],
    ['GET', '/api/products'],
    ['GET', '/api/products'],
    ['POST', '/api/ai/chat'],
    ['GET', '/no-such-page'],
  ];
  const rate = opts.trafficPerSecond ?? 8;
  // Own keep-alive agent, destroyed on close: the app's close() then never
  // waits on sockets the generator still holds open.
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    const [method, path] = calls[Math.floor(Math.random() * calls.length)]!;
    const target = url + path.replace('ID', String(1 + Math.floor(Math.random() * 50)));
    const req = request(target, { method, agent }, (res) => res.resume());
    req.on('error', () => {});
    req.end();
  }, 1000 / rate);
  timer.unref();

  return {
    url,
    metricsUrl: `${url}/metrics`,
    async close() {
      stopped = true;
      clearInterval(timer);
      agent.destroy();
      await app.close();
      obs.close();
    },
  };
}
