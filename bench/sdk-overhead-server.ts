// One hello-world server for bench/sdk-overhead.ts, in its own process so the
// load generator does not share its event loop. Usage: <framework> <variant>;
// prints "PORT <n> CONTEXT <true|false>" when listening (whether the
// variant's adapters carry a request context).
//
// Each variant loads only the packages it uses (dynamic imports): what a
// process loaded before it starts serving decides, on Node 20, whether V8
// compiles process.nextTick's object literal into a slow runtime call, a
// difference of about 3 us per request on a Fastify hello-world
// (docs/sdk-overhead.md, "Node 20: a slow path in process.nextTick that
// start-up decides"). A server that also loaded the other
// variants' packages would not be the server its variant stands for.
import { createServer, type ServerResponse } from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';
import type { Vigil } from '@vigil/sdk';

const [framework, variant] = process.argv.slice(2) as ['fastify' | 'express', 'bare' | 'shaped' | 'idle' | 'nodm' | 'gcobs' | 'floor' | 'hook' | 'hookstart' | 'wrap' | 'burn' | 'vigil' | 'dist' | 'context' | 'lean' | 'alt'];
// 'vigil': the defaults. 'dist': the defaults from the SDK's built package
// (packages/sdk/dist, what an installed @vigil/sdk runs; `npm install`
// builds it) instead of its TypeScript sources, which the other variants
// load through tsx (the workspace's tsconfig paths). 'shaped' (Express): bare, its server building
// requests and responses with the app's prototypes as instrumentExpress has
// it do on Node before 24, with no SDK. 'hookstart' (Fastify): the defaults, each request's
// start seen from an onRequest hook instead of Fastify's log controller. 'context': the defaults with the per-request
// AsyncLocalStorage context forced on (the default turns it on only where
// AsyncContextFrame carries it). 'lean': metrics only, no context and no
// size histograms. 'idle': bare, plus a vigil() instance that instruments
// nothing (its background work alone: event-loop monitors, health checks).
// 'nodm': 'idle' with prom-client's default metrics off. 'gcobs': bare plus
// one PerformanceObserver of 'gc' entries, as prom-client's default
// nodejs_gc_duration_seconds has (its callback reads the entries, nothing else).
// 'floor': the least any request timer needs, one hook (Fastify) or a
// wrapped app.handle (Express) that reads the clock and a close listener
// that reads it again; the total lands in a variable, so nothing is optimised away.
const VARIANT_OPTIONS = { idle: {}, nodm: { defaultMetrics: false }, vigil: {}, dist: {}, hookstart: {}, context: { requestContext: true }, lean: { requestContext: false, sizeMetrics: false } } as const;
const instrumented = variant === 'vigil' || variant === 'dist' || variant === 'context' || variant === 'lean' || (variant === 'hookstart' && framework === 'fastify');
let context = false;
/**
 * Total request time the 'floor' variant measured, in a typed array: a
 * double stored to a module-level variable is boxed anew on every store on
 * this V8, which would add an allocation per request to the floor.
 */
const timed = new Float64Array(1);
/**
 * The 'burn' variant: BENCH_BURN_NS nanoseconds of user CPU per request, a
 * busy loop whose iteration count is calibrated at start-up (the fastest of
 * 20 timings of a million iterations); what a known slowdown measures as in the bench.
 */
const BURN_NS = Number(process.env.BENCH_BURN_NS ?? 300);
const spin = (n: number) => {
  let x = 0;
  for (let i = 0; i < n; i++) x = (x * 31 + i) | 0;
  timed[0]! += x & 1;
};
const burnIterations = (() => {
  if (variant !== 'burn') return 0;
  const n = 100_000;
  spin(n);
  let best = Infinity;
  for (let r = 0; r < 20; r++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < 10; k++) spin(n);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / (10 * n));
  }
  return Math.max(1, Math.round(BURN_NS / best));
})();
/** The SDK as this variant loads it: the built package for 'dist', else the sources. */
const sdk = async (): Promise<typeof import('@vigil/sdk')> => (variant === 'dist' ? ((await import('../packages/sdk/dist/index.js' as string)) as typeof import('@vigil/sdk')) : import('@vigil/sdk'));
const obs = async (): Promise<Vigil> => {
  const { vigil } = await sdk();
  const o = vigil({ service: 'bench', logger: { level: 'silent' }, ...VARIANT_OPTIONS[variant as keyof typeof VARIANT_OPTIONS] });
  context = o.requestContext;
  return o;
};

/**
 * The 'gcobs' variant: observes GC entries as prom-client's default metrics
 * do, after holding a nextTick record as vigil() does first: without it the
 * observer's start-up tick puts most processes in Node 20's nextTick slow
 * path (+30% in a 30-set run, 5 Dec 2026), which is not what is measured here.
 */
async function observeGc(): Promise<void> {
  (await import('../packages/sdk/src/runtime/tick-maps.ts')).holdTickObjectShape();
  new PerformanceObserver((list) => {
    timed[0]! += list.getEntries().length;
  }).observe({ entryTypes: ['gc'] });
}

async function main(): Promise<number> {
  if (framework === 'fastify') {
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    if (instrumented) {
      const { instrumentFastify } = await sdk();
      instrumentFastify(app, await obs(), { start: variant === 'hookstart' ? 'hook' : 'auto' });
    }
    if (variant === 'idle' || variant === 'nodm') await obs();
    if (variant === 'gcobs') await observeGc();
    if (variant === 'alt') await app.register((await import('fastify-metrics')).default as never, { endpoint: '/metrics' });
    if (variant === 'floor') {
      app.addHook('onRequest', (_req, reply, done) => {
        const t0 = performance.now();
        reply.raw.on('close', () => {
          timed[0]! += performance.now() - t0;
        });
        done();
      });
    }
    // The floor's two parts apart: 'hook' an onRequest hook that does
    // nothing (what Fastify's hook runner costs), 'wrap' the clock and the
    // close listener from the server's request listener instead of a hook.
    if (variant === 'hook') app.addHook('onRequest', (_req, _reply, done) => done());
    if (variant === 'wrap') {
      const [fastifyListener] = app.server.listeners('request') as Array<(req: unknown, res: ServerResponse) => void>;
      app.server.removeAllListeners('request');
      app.server.on('request', (req, res) => {
        const t0 = performance.now();
        res.on('close', () => {
          timed[0]! += performance.now() - t0;
        });
        fastifyListener!(req, res);
      });
    }
    if (variant === 'burn') {
      app.get('/users/:id', async (req) => {
        spin(burnIterations);
        return { id: (req.params as { id: string }).id, name: 'Ada' };
      });
    } else app.get('/users/:id', async (req) => ({ id: (req.params as { id: string }).id, name: 'Ada' }));
    // CPU time of this process, read by the bench before and after each run.
    app.get('/__cpu', async () => ({ ...process.cpuUsage(), timed: timed[0] }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return (app.server.address() as { port: number }).port;
  }
  const { default: express } = await import('express');
  const app = express();
  if (instrumented) {
    const { instrumentExpress } = await sdk();
    instrumentExpress(app, await obs());
  }
  if (variant === 'idle' || variant === 'nodm') await obs();
  if (variant === 'gcobs') await observeGc();
  if (variant === 'floor') {
    // From the app's entry point, as instrumentExpress instruments it: no
    // layer in the router (a middleware that only calls next() measured
    // about +4.9% on its own).
    const wrapped = app as unknown as { handle: (req: unknown, res: ServerResponse, cb?: unknown) => void };
    const handle = wrapped.handle;
    wrapped.handle = function floorHandle(req, res, cb) {
      const t0 = performance.now();
      res.on('close', () => {
        timed[0]! += performance.now() - t0;
      });
      handle.call(this, req, res, cb);
    };
  }
  if (variant === 'alt') app.use((await import('express-prom-bundle')).default({ includeMethod: true, includePath: true, includeStatusCode: true, promClient: { collectDefaultMetrics: {} } }));
  app.get('/users/:id', (req, res) => {
    if (variant === 'burn') spin(burnIterations);
    res.json({ id: req.params.id, name: 'Ada' });
  });
  app.get('/__cpu', (_req, res) => {
    res.json({ ...process.cpuUsage(), timed: timed[0] });
  });
  const server = createServer(app);
  if (variant === 'shaped') {
    // The SDK's prototype change alone, from its own module (which loads
    // nothing but node:http): bare Express, its requests built with the
    // app's prototypes.
    const { buildWithAppPrototypes } = await import('../packages/sdk/src/http/express/app-prototypes.ts');
    if (!buildWithAppPrototypes(server, app.request, app.response)) throw new Error('shaped: the server kept its own request classes');
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

main().then((port) => process.stdout.write(`PORT ${port} CONTEXT ${context}\n`));
