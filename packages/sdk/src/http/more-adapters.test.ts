import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import Koa from 'koa';
import Router from '@koa/router';
import { initTRPC } from '@trpc/server';
import { vigil, type Vigil } from '../vigil.ts';
import { honoMiddleware } from './hono/middleware.ts';
import { koaMiddleware } from './koa/middleware.ts';
import { trpcHealth, trpcMetrics } from './trpc/trpc.ts';

const quiet = (): Vigil => vigil({ service: 't', logger: { level: 'silent' }, defaultMetrics: false, requestContext: true });

async function routes(obs: Vigil): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await obs.http.requests.get()).values) out[`${v.labels.method} ${v.labels.route} ${v.labels.status}`] = v.value;
  return out;
}

test('hono: route template after next(), unmatched, errors captured, request id', async () => {
  const obs = quiet();
  const app = new Hono();
  app.onError((_err, c) => c.text('internal error', 500)); // Hono's default prints the stack
  app.use(honoMiddleware(obs));
  let rid: string | undefined;
  app.get('/users/:id', (c) => {
    rid = obs.context.get()?.requestId;
    return c.json({ id: c.req.param('id') });
  });
  app.get('/boom', () => {
    throw new Error('boom');
  });
  const r = await app.request('/users/5', { headers: { 'x-request-id': 'h-1' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-request-id'), 'h-1');
  assert.equal(rid, 'h-1');
  assert.equal((await app.request('/users/6')).status, 200);
  assert.equal((await app.request('/nothing/here')).status, 404);
  assert.equal((await app.request('/boom')).status, 500);
  assert.deepEqual(await routes(obs), { 'GET /users/:id 200': 2, 'GET unmatched 404': 1, 'GET /boom 500': 1 });
  assert.equal((await obs.errors.total.get()).values[0]?.value, 1);
  obs.close();
});

test('koa + @koa/router: matched template with prefix, thrown errors as 500', async () => {
  const obs = quiet();
  const app = new Koa();
  app.silent = true; // Koa prints caught errors to stderr otherwise
  app.use(koaMiddleware(obs));
  const router = new Router({ prefix: '/api' });
  router.get('/items/:id', (ctx) => {
    ctx.body = { id: ctx.params.id };
  });
  router.post('/fail', () => {
    throw new Error('nope');
  });
  app.use(router.routes());
  const server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.equal((await fetch(`${url}/api/items/1`)).status, 200);
    assert.equal((await fetch(`${url}/api/fail`, { method: 'POST' })).status, 500);
    assert.equal((await fetch(`${url}/zzz`)).status, 404);
    assert.deepEqual(await routes(obs), { 'GET /api/items/:id 200': 1, 'POST /api/fail 500': 1, 'GET unmatched 404': 1 });
  } finally {
    server.close();
    server.closeAllConnections();
    obs.close();
  }
});

test('tRPC: procedure metrics by path, health procedures', async () => {
  const obs = quiet();
  const t = initTRPC.create();
  const proc = t.procedure.use(trpcMetrics(obs));
  const h = trpcHealth(obs);
  const appRouter = t.router({
    user: t.router({ byId: proc.query(() => ({ id: 1 })), fail: proc.mutation(() => { throw new Error('x'); }) }),
    health: t.router({ liveness: t.procedure.query(h.liveness), readiness: t.procedure.query(h.readiness), check: t.procedure.query(h.check) }),
  });
  const caller = t.createCallerFactory(appRouter)({});
  assert.deepEqual(await caller.user.byId(), { id: 1 });
  await assert.rejects(caller.user.fail());
  assert.deepEqual(await caller.health.liveness(), { status: 'pass' });
  await obs.health.runAll();
  assert.equal((await caller.health.check()).serviceId, 't');
  obs.health.setDraining();
  await assert.rejects(caller.health.readiness(), /service is fail/);
  assert.deepEqual(await routes(obs), { 'GET trpc:user.byId 200': 1, 'POST trpc:user.fail 500': 1 });
  obs.close();
});
