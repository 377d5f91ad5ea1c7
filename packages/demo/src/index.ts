import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { Counter, Histogram } from 'prom-client';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jitter = (min: number, max: number) => min + Math.random() * (max - min);

/**
 * A small API service instrumented with @vigil/sdk that makes its own
 * traffic, so a fresh `vigil start` has live data to graph. Its metrics are
 * named like the hand-built ones in real Node backends: HTTP RED metrics,
 * database query latency, cache hits and misses, AI token usage and cost.
 */
export async function startDemo(opts: DemoOptions = {}): Promise<Demo> {
  const obs = vigil({ service: 'demo-api' });
  const registers = [obs.registry];
  const dbQuery = new Histogram({
    name: 'db_query_duration_seconds',
    help: 'Database query latency in seconds.',
    labelNames: ['operation', 'table'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  });
  const cacheHits = new Counter({ name: 'cache_hits_total', help: 'Cache hits.', labelNames: ['cache'], registers });
  const cacheMisses = new Counter({ name: 'cache_misses_total', help: 'Cache misses.', labelNames: ['cache'], registers });
  const aiTokens = new Counter({ name: 'ai_tokens_used_total', help: 'AI model tokens used.', labelNames: ['model', 'kind'], registers });
  const aiCost = new Counter({ name: 'ai_cost_usd_total', help: 'AI model spend in US dollars.', labelNames: ['model'], registers });

  const app = Fastify({ loggerInstance: opts.logger, disableRequestLogging: true });
  instrumentFastify(app, obs);

  const query = async (operation: string, table: string, ms: number) => {
    const end = dbQuery.startTimer({ operation, table });
    await sleep(ms);
    end();
  };

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
    if (Math.random() < 0.8) cacheHits.inc({ cache: 'products' });
    else {
      cacheMisses.inc({ cache: 'products' });
      await query('select', 'products', jitter(10, 80));
    }
    return [{ sku: 'A-1' }];
  });
  app.post('/api/ai/chat', async () => {
    const model = Math.random() < 0.7 ? 'gpt-4o-mini' : 'claude-sonnet';
    const input = Math.round(jitter(50, 800));
    const output = Math.round(jitter(20, 400));
    aiTokens.inc({ model, kind: 'input' }, input);
    aiTokens.inc({ model, kind: 'output' }, output);
    aiCost.inc({ model }, (input * 0.15 + output * 0.6) / 1e6);
    await sleep(jitter(50, 250));
    return { reply: '…' };
  });
  app.get('/metrics', async (req, reply) => {
    const { body, contentType } = await obs.render(req.headers.accept);
    return reply.type(contentType).send(body);
  });

  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const addr = app.server.address() as { port: number };
  const url = `http://${opts.host ?? '127.0.0.1'}:${addr.port}`;

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
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    const [method, path] = calls[Math.floor(Math.random() * calls.length)]!;
    const target = url + path.replace('ID', String(1 + Math.floor(Math.random() * 50)));
    fetch(target, { method }).then(
      (r) => r.body?.cancel(),
      () => {},
    );
  }, 1000 / rate);
  timer.unref();

  return {
    url,
    metricsUrl: `${url}/metrics`,
    async close() {
      stopped = true;
      clearInterval(timer);
      await app.close();
    },
  };
}
