// Compile-time tests of the public API: checked by `tsc` (see ../types.test.ts).
// Lines marked @ts-expect-error must stay errors; if the API starts accepting
// them, tsc reports the unused directive and the test fails.
import { createServer } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  vigil,
  instrumentFastify,
  expressMiddleware,
  instrumentExpress,
  expressErrorHandler,
  withVigil,
  postgresCheck,
  redisCheck,
  httpCheck,
  diskCheck,
  EmfExporter,
  renderRegistry,
  renderRegistryBuffer,
  trackRegistry,
  aggregateFamilies,
  metricsAsJSONParts,
  type Vigil,
  type HealthCheck,
  type HealthReport,
  type ErrorEvent,
  type RequestContext,
} from '@vigil/sdk';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_: T): void {}

const obs = vigil({ service: 'api' });
expectType<Equal<typeof obs, Vigil>>(true);
expectType<Equal<typeof obs.registry, Registry>>(true);
expectType<Equal<typeof obs.logger, Logger>>(true);

// @ts-expect-error service is required
vigil({});
// @ts-expect-error unknown option
vigil({ service: 'api', servce: 'typo' });
// @ts-expect-error maxRoutes is a number
vigil({ service: 'api', maxRoutes: '200' });

// Adapters take the instance.
const app = Fastify();
instrumentFastify(app, obs);
instrumentFastify(app, obs, { endpoints: false });
// @ts-expect-error the second argument is the vigil() handle, not options
instrumentFastify(app, { service: 'api' });
const e = express();
e.use(expressMiddleware(obs));
const e2 = instrumentExpress(express(), obs, { endpoints: false });
e2.get('/x', (_req, res) => res.end());
// @ts-expect-error an Express application, not a router or options
instrumentExpress({ service: 'api' }, obs);
e.use(expressErrorHandler(obs));
createServer(withVigil(obs, (_req, res) => res.end('ok'), { route: (req) => req.url }));

// Metric helpers are typed by their label names.
obs.metrics.dbQueryDuration.observe({ operation: 'select', table: 'users' }, 0.01);
// @ts-expect-error unknown label
obs.metrics.dbQueryDuration.observe({ op: 'select', table: 'users' }, 0.01);
obs.metrics.aiUsage('gpt-4o-mini', { input: 10, output: 5, costUsd: 0.001 });
const n: Promise<number> = obs.metrics.timeQuery('select', 'users', async () => 42);
void n;

// Health checks: structural dependencies, no pg/ioredis import needed.
const check: HealthCheck = postgresCheck({ query: async () => ({}) }, { critical: true, timeoutMs: 500 });
obs.health.add(check).add(redisCheck({ ping: async () => 'PONG' }, { critical: false })).add(httpCheck('http://127.0.0.1:1/')).add(diskCheck('/'));
// @ts-expect-error a Redis check needs ping()
redisCheck({ query: async () => ({}) });
const report: HealthReport = obs.health.report();
const status: 'pass' | 'warn' | 'fail' = report.status;
void status;

// Errors and context.
obs.errors.addSink((ev: ErrorEvent) => {
  const t: 'uncaught' | 'unhandled_rejection' | 'route' | 'manual' = ev.type;
  void t;
});
// @ts-expect-error severity is one of fatal/error/warning
void obs.errors.capture(new Error('x'), { severity: 'critical' });
const ctx: RequestContext | undefined = obs.context.get();
void ctx;
obs.shutdown.onShutdown('pool', async () => {}).addServer(createServer());
const lines: Promise<string[]> = new EmfExporter(obs.registry, { namespace: 'A/B' }).lines();
void lines;

// Rendering: a Buffer to send as it is, or the same text as a string.
void obs.render('application/openmetrics-text').then((r) => {
  expectType<Equal<typeof r.body, Buffer>>(true);
  expectType<Equal<typeof r.contentType, string>>(true);
});
expectType<Equal<ReturnType<typeof renderRegistryBuffer>, Promise<Buffer>>>(true);
expectType<Equal<ReturnType<typeof renderRegistry>, Promise<string>>>(true);
// Tracking takes any prom-client registry and returns nothing.
expectType<Equal<ReturnType<typeof trackRegistry>, void>>(true);
trackRegistry(obs.registry);
// @ts-expect-error a registry, not its metrics
trackRegistry(obs.registry.getMetricsAsArray());
// @ts-expect-error the options are an object
void renderRegistry(obs.registry, true);

// The primary's aggregation takes what workers send (metricsAsJSONParts) and gives a prom-client registry.
async function aggregated(): Promise<void> {
  const parts = [];
  for await (const part of metricsAsJSONParts(obs.registry)) parts.push(part);
  const merged = await aggregateFamilies([parts, parts], { sliceMs: 1 });
  expectType<Equal<typeof merged, Registry>>(true);
  // @ts-expect-error families, not registries
  await aggregateFamilies([obs.registry]);
}
void aggregated;
