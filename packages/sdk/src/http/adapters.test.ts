import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { vigil, type Vigil } from '../vigil.ts';
import { instrumentFastify } from './fastify/plugin.ts';
import { expressErrorHandler, expressMiddleware, instrumentExpress } from './express/middleware.ts';
import { withVigil } from './node/with-vigil.ts';
import { templateFromPath } from './node/route.ts';

// requestContext: true, so the context is tested on every Node (the default turns it on only where AsyncContextFrame carries it).
const quiet = (maxRoutes?: number): Vigil => vigil({ service: 't', logger: { level: 'silent' }, defaultMetrics: false, maxRoutes, requestContext: true });

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/** POSTs `body of <id>` to `url`/echo with 20 request ids at once; checks each id is echoed; returns [id, parsed body] pairs. */
async function postConcurrently(url: string): Promise<Array<[string, unknown]>> {
  const ids = Array.from({ length: 20 }, (_, i) => `req-${i}`);
  return Promise.all(
    ids.map(async (id): Promise<[string, unknown]> => {
      const r = await fetch(`${url}/echo`, { method: 'POST', headers: { 'x-request-id': id, 'content-type': 'text/plain' }, body: `body of ${id}` });
      assert.equal(r.headers.get('x-request-id'), id);
      return [id, await r.json()];
    }),
  );
}

async function routeValues(obs: Vigil): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const v of (await obs.http.requests.get()).values) out.set(`${v.labels.method} ${v.labels.route} ${v.labels.status}`, v.value);
  return out;
}

test('fastify: route templates, unmatched, errors counted, endpoints served, context per request', async () => {
  const obs = quiet();
  const app = Fastify();
  instrumentFastify(app, obs);
  let seenRequestId: string | undefined;
  app.get('/users/:id', async (req) => {
    seenRequestId = obs.context.get()?.requestId;
    return { id: (req.params as { id: string }).id };
  });
  app.get('/boom', async () => {
    throw new Error('boom');
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const r = await fetch(`${url}/users/42`, { headers: { 'x-request-id': 'req-1' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-request-id'), 'req-1');
    assert.equal(seenRequestId, 'req-1');
    await fetch(`${url}/users/43`);
    assert.equal((await fetch(`${url}/nope/123`)).status, 404);
    assert.equal((await fetch(`${url}/boom`)).status, 500);
    const live = await fetch(`${url}/livez`);
    assert.equal(live.status, 200);
    assert.equal(live.headers.get('content-type'), 'application/health+json');
    const routes = await routeValues(obs);
    assert.deepEqual(Object.fromEntries(routes), { 'GET /users/:id 200': 2, 'GET unmatched 404': 1, 'GET /boom 500': 1 });
    const errs = (await obs.errors.total.get()).values;
    assert.deepEqual(errs.map((v) => [v.labels.type, v.value]), [['route', 1]]);
    const body = await (await fetch(`${url}/metrics`)).text();
    assert.match(body, /^http_request_duration_seconds_count\{method="GET",route="\/users\/:id",status="200",service="t"\} 2$/m);
  } finally {
    await app.close();
    obs.close();
  }
});

for (const start of ['auto', 'hook'] as const) {
  test(`fastify (start: ${start}): each request's context reaches its handler after the body is parsed, concurrent requests keep their own, ignored paths and the next request on a connection get none`, async () => {
    const obs = quiet();
    const app = Fastify();
    instrumentFastify(app, obs, { start, ignore: ['/plain'] });
    app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req: FastifyRequest, body: string, done: (err: null, v: unknown) => void) => {
      // Called once the body has arrived, from later socket reads than the request's start.
      setImmediate(() => done(null, { text: body }));
    });
    app.post('/echo', async (req) => {
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 5)));
      return { ...(req.body as object), handlerSaw: obs.context.get()?.requestId ?? null };
    });
    app.get('/plain', async () => ({ saw: obs.context.get()?.requestId ?? null }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      for (const [id, body] of await postConcurrently(url)) assert.deepEqual(body, { text: `body of ${id}`, handlerSaw: id });
      // One keep-alive connection: a request with a context, then an ignored path.
      const plain = await new Promise<string>((resolve, reject) => {
        const sock = connect(Number(new URL(url).port), '127.0.0.1', () => {
          sock.write('POST /echo HTTP/1.1\r\nHost: x\r\nx-request-id: first\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nhi');
          sock.write('GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        });
        let out = '';
        sock.on('data', (d) => (out += d));
        sock.on('end', () => resolve(out));
        sock.on('error', reject);
      });
      assert.match(plain, /"handlerSaw":"first"/);
      assert.match(plain, /\{"saw":null\}/);
      assert.deepEqual(Object.fromEntries(await routeValues(obs)), { 'POST /echo 200': 21 });
    } finally {
      await app.close();
      obs.close();
    }
  });

  test(`fastify (start: ${start}): a user's own log controller still runs, routes of encapsulated plugins counted, context off`, async () => {
    const obs = vigil({ service: 't', logger: { level: 'silent' }, defaultMetrics: false, requestContext: false });
    const seen: string[] = [];
    class Mine extends LogController {
      override incomingRequest(request: FastifyRequest): void {
        seen.push(request.url);
      }
    }
    // frameworkErrors answers a malformed URL with a request and reply
    // built, but no onRequest hook runs for it: only the log controller
    // sees it.
    const app = Fastify({ logController: new Mine(), frameworkErrors: (_err, _req, reply) => void (reply as unknown as FastifyReply).code(400).send('bad url') });
    instrumentFastify(app, obs, { start });
    await app.register(async (child) => {
      child.get('/inner/:id', async () => 'inner');
    }, { prefix: '/p' });
    app.get('/outer', async () => 'outer');
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      assert.equal((await fetch(`${url}/p/inner/1`)).status, 200);
      assert.equal((await fetch(`${url}/outer`)).status, 200);
      assert.equal((await fetch(`${url}/nope`)).status, 404);
      assert.equal((await fetch(`${url}/outer/%E0%A4%A`)).status, 400);
      assert.equal((await app.inject({ url: '/outer' })).statusCode, 200);
      assert.deepEqual(seen, ['/p/inner/1', '/outer', '/nope', '/outer/%E0%A4%A', '/outer']);
      const expected: Record<string, number> = { 'GET /p/inner/:id 200': 1, 'GET /outer 200': 2, 'GET unmatched 404': 1 };
      if (start === 'auto') expected['GET unmatched 400'] = 1;
      assert.deepEqual(Object.fromEntries(await routeValues(obs)), expected);
      assert.equal((await obs.http.inFlight.get()).values[0]!.value, 0);
    } finally {
      await app.close();
      obs.close();
    }
  });
}

for (const form of ['middleware', 'instrumentExpress'] as const) {
  test(`express (${form}): concurrent requests each see their own context in an async handler, after a body is read`, async () => {
    const obs = quiet();
    const app = express();
    if (form === 'middleware') app.use(expressMiddleware(obs));
    else instrumentExpress(app, obs);
    app.post('/echo', express.text(), async (req, res) => {
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 5)));
      res.json({ text: req.body, saw: obs.context.get()?.requestId ?? null });
    });
    const server = createServer(app);
    const url = await listen(server);
    try {
      for (const [id, body] of await postConcurrently(url)) assert.deepEqual(body, { text: `body of ${id}`, saw: id });
    } finally {
      server.close();
      obs.close();
    }
  });

  test(`express (${form}): template joined to the router mount path, also when an error leaves the router; route errors captured; context per request`, () => expressMountCase(form));
}

async function expressMountCase(form: 'middleware' | 'instrumentExpress'): Promise<void> {
  const obs = quiet();
  const app = express();
  app.set('env', 'test'); // finalhandler prints stacks to stderr otherwise
  if (form === 'middleware') app.use(expressMiddleware(obs));
  else {
    instrumentExpress(app, obs);
    assert.throws(() => instrumentExpress(app, obs), /already instrumented/);
  }
  const api = express.Router();
  let seenRequestId: string | undefined;
  api.get('/items/:id', (_req, res) => {
    seenRequestId = obs.context.get()?.requestId;
    res.json({ ok: true });
  });
  api.post('/fail', () => {
    throw new Error('bad');
  });
  app.use('/api', api);
  app.use(expressErrorHandler(obs));
  const server = createServer(app);
  const url = await listen(server);
  try {
    const ok = await fetch(`${url}/api/items/9`, { headers: { 'x-request-id': 'req-9' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('x-request-id'), 'req-9');
    assert.equal(seenRequestId, 'req-9');
    assert.equal((await fetch(`${url}/api/fail`, { method: 'POST' })).status, 500);
    assert.equal((await fetch(`${url}/random/thing`)).status, 404);
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    // 'finish' fires after the response is flushed; give the last one a tick.
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(Object.fromEntries(await routeValues(obs)), { 'GET /api/items/:id 200': 1, 'POST /api/fail 500': 1, 'GET unmatched 404': 1 });
    assert.equal((await obs.errors.total.get()).values[0]?.value, 1);
  } finally {
    server.close();
    server.closeAllConnections();
    obs.close();
  }
}

test('node:http wrapper: resolver templates, rejected handler answers 500 and is captured', async () => {
  const obs = quiet();
  const server = createServer(
    withVigil(
      obs,
      async (req, res) => {
        if (req.url === '/explode') throw new Error('kaput');
        res.end('ok');
      },
      { route: (req) => templateFromPath(req.url ?? '/') },
    ),
  );
  const url = await listen(server);
  try {
    assert.equal(await (await fetch(`${url}/orders/123?x=1`)).text(), 'ok');
    assert.equal((await fetch(`${url}/explode`)).status, 500);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(Object.fromEntries(await routeValues(obs)), { 'GET /orders/:id 200': 1, 'GET /explode 500': 1 });
  } finally {
    server.close();
    server.closeAllConnections();
    obs.close();
  }
});

test('node:http wrapper: a context and the echoed x-request-id only where requestContext is on', async () => {
  for (const requestContext of [true, false]) {
    const obs = vigil({ service: 't', logger: { level: 'silent' }, defaultMetrics: false, requestContext });
    let saw: string | undefined = 'not called';
    const server = createServer(
      withVigil(obs, async (_req, res) => {
        await new Promise((r) => setImmediate(r));
        saw = obs.context.get()?.requestId;
        res.end('ok');
      }),
    );
    const url = await listen(server);
    try {
      const r = await fetch(`${url}/x`, { headers: { 'x-request-id': 'w-1' } });
      assert.equal(await r.text(), 'ok');
      assert.equal(r.headers.get('x-request-id'), requestContext ? 'w-1' : null);
      assert.equal(saw, requestContext ? 'w-1' : undefined);
    } finally {
      server.close();
      server.closeAllConnections();
      obs.close();
    }
  }
});

test('cardinality: 100k random URLs through the raw-path resolver yield at most maxRoutes + 1 route values', () => {
  const obs = quiet(50);
  const rnd = () => Math.random().toString(36).slice(2, 2 + Math.ceil(Math.random() * 10));
  for (let i = 0; i < 100_000; i++) {
    const url = `/${rnd()}/${i % 3 === 0 ? i : rnd()}?q=${rnd()}`;
    obs.http.record({ method: i % 7 === 0 ? 'BREW' : 'GET', route: templateFromPath(url), status: 200 }, 0.001);
  }
  const values = obs.http.requests.get() as unknown as Promise<{ values: Array<{ labels: Record<string, string>; value: number }> }>;
  return values.then(({ values: vs }) => {
    const routes = new Set(vs.map((v) => v.labels.route));
    assert.equal(routes.size, 51);
    assert.ok(routes.has('__overflow__'));
    assert.deepEqual(new Set(vs.map((v) => v.labels.method)), new Set(['GET', 'OTHER']));
    assert.equal(vs.reduce((a, v) => a + v.value, 0), 100_000);
    obs.close();
  });
});

test('cardinality: random URLs through Fastify wildcard routes stay capped', async () => {
  const obs = quiet(20);
  const app = Fastify();
  instrumentFastify(app, obs);
  // Wildcard routes match nearly everything, so the template does not bound
  // the label here; the cap does.
  for (let i = 0; i < 60; i++) app.get(`/r${i}/*`, async () => 'ok');
  await app.ready();
  const rnd = () => Math.random().toString(36).slice(2);
  for (let i = 0; i < 3000; i++) {
    await app.inject({ method: 'GET', url: i % 2 === 0 ? `/r${i % 60}/${rnd()}` : `/${rnd()}/${rnd()}?q=${rnd()}` });
  }
  const routes = new Set((await obs.http.requests.get()).values.map((v) => v.labels.route));
  assert.equal(routes.size, 21, [...routes].join(' '));
  assert.ok(routes.has('__overflow__'));
  await app.close();
  obs.close();
});

/** Waits (bounded) until `cond` holds; the wait is for an event, not a speed check. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

test('fastify: recorded over HTTP and through inject(), durations measured, two instrumentations of one app both count', async () => {
  const obs = quiet();
  const other = quiet();
  const app = Fastify();
  instrumentFastify(app, obs);
  instrumentFastify(app, other, { endpoints: false });
  app.get('/slow/:ms', async (req) => {
    await new Promise((r) => setTimeout(r, Number((req.params as { ms: string }).ms)));
    return 'ok';
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    assert.equal((await fetch(`${url}/slow/60`)).status, 200);
    assert.equal((await app.inject({ url: '/slow/30' })).statusCode, 200);
    for (const o of [obs, other]) {
      assert.deepEqual(Object.fromEntries(await routeValues(o)), { 'GET /slow/:ms 200': 2 });
      const sum = (await o.http.duration.get()).values.find((v) => v.metricName === 'http_request_duration_seconds_sum')!.value;
      assert.ok(sum >= 0.085 && sum < 1, `duration sum ${sum}`);
      assert.equal((await o.http.inFlight.get()).values[0]!.value, 0);
    }
  } finally {
    await app.close();
    obs.close();
    other.close();
  }
});

test('fastify and express: sizes recorded, in-flight back to 0, a request the client abandons still counts', async () => {
  for (const kind of ['fastify', 'express'] as const) {
    const obs = quiet();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let url: string;
    let stop: () => Promise<void>;
    if (kind === 'fastify') {
      const app = Fastify();
      instrumentFastify(app, obs);
      app.post('/echo/:id', async (req) => ({ got: (req.body as { n: number }).n }));
      app.get('/slow', async (_req, reply) => {
        await held;
        return reply.send('late');
      });
      url = await app.listen({ port: 0, host: '127.0.0.1' });
      stop = () => app.close();
    } else {
      const app = express();
      app.use(expressMiddleware(obs));
      app.use(express.json());
      app.post('/echo/:id', (req, res) => {
        res.json({ got: (req.body as { n: number }).n });
      });
      app.get('/slow', (_req, res) => {
        void held.then(() => res.send('late'));
      });
      const server = createServer(app);
      url = await listen(server);
      stop = async () => {
        server.close();
        server.closeAllConnections();
      };
    }
    try {
      const body = JSON.stringify({ n: 1, pad: 'x'.repeat(200) });
      const r = await fetch(`${url}/echo/7`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(r.status, 200, kind);
      const sent = Number(r.headers.get('content-length'));
      const ac = new AbortController();
      const pending = fetch(`${url}/slow`, { signal: ac.signal }).catch(() => 'aborted');
      await until(() => obs.http.inFlight.value === 1, `${kind}: the held request is in flight`);
      ac.abort();
      assert.equal(await pending, 'aborted');
      await until(() => obs.http.inFlight.value === 0, `${kind}: in-flight back to 0 after the client left`);
      release();
      const counts = Object.fromEntries(await routeValues(obs));
      assert.deepEqual(counts, { 'POST /echo/:id 200': 1, 'GET /slow 200': 1 }, kind);
      const reqSize = (await obs.http.requestSize!.get()).values.find((v) => v.metricName === 'http_request_size_bytes_sum');
      assert.equal(reqSize?.value, Buffer.byteLength(body), `${kind}: request size from Content-Length`);
      const resSize = (await obs.http.responseSize!.get()).values.filter((v) => v.metricName === 'http_response_size_bytes_count' && v.value > 0);
      assert.deepEqual(resSize.map((v) => [v.labels.route, v.value]), [['/echo/:id', 1]], `${kind}: a response size for the answered request only`);
      const resSum = (await obs.http.responseSize!.get()).values.find((v) => v.metricName === 'http_response_size_bytes_sum' && v.labels.route === '/echo/:id');
      assert.equal(resSum?.value, sent, `${kind}: response size from Content-Length`);
    } finally {
      release();
      await stop();
      obs.close();
    }
  }
});

test('fastify and express: pipelined and keep-alive requests on one connection each counted once as its response ends, in-flight back to 0', async () => {
  for (const kind of ['fastify', 'express'] as const) {
    const obs = quiet();
    let port: number;
    let stop: () => Promise<void>;
    if (kind === 'fastify') {
      const app = Fastify();
      instrumentFastify(app, obs);
      app.get('/items/:id', async (req) => ({ id: (req.params as { id: string }).id }));
      await app.listen({ port: 0, host: '127.0.0.1' });
      port = (app.server.address() as AddressInfo).port;
      stop = () => app.close();
    } else {
      const app = express();
      instrumentExpress(app, obs);
      app.get('/items/:id', (req, res) => {
        // The first answers after the second has arrived on the same connection.
        setTimeout(() => res.json({ id: req.params.id }), req.params.id === '1' ? 30 : 0);
      });
      const server = createServer(app);
      port = Number(new URL(await listen(server)).port);
      stop = async () => {
        server.close();
        server.closeAllConnections();
      };
    }
    try {
      const socket = connect(port, '127.0.0.1');
      let got = '';
      socket.setEncoding('latin1').on('data', (d: string) => (got += d));
      await new Promise<void>((r) => socket.once('connect', () => r()));
      // Three requests in one write (pipelined), then two more one at a time (keep-alive).
      socket.write([1, 2, 3].map((i) => `GET /items/${i} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
      await until(() => (got.match(/HTTP\/1\.1 200/g) ?? []).length === 3, `${kind}: three pipelined responses`);
      for (const i of [4, 5]) {
        socket.write(`GET /items/${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
        await until(() => (got.match(/HTTP\/1\.1 200/g) ?? []).length === i, `${kind}: keep-alive response ${i}`);
      }
      // Each ended by its response, with the connection still open...
      await until(() => obs.http.inFlight.value === 0, `${kind}: in-flight back to 0`);
      assert.deepEqual(Object.fromEntries(await routeValues(obs)), { 'GET /items/:id 200': 5 }, kind);
      // ...and not again when it closes.
      socket.end();
      await new Promise<void>((r) => socket.once('close', () => r()));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(obs.http.inFlight.value, 0, kind);
      assert.deepEqual(Object.fromEntries(await routeValues(obs)), { 'GET /items/:id 200': 5 }, kind);
    } finally {
      await stop();
      obs.close();
    }
  }
});

test('fastify: pipelined requests queued behind a held one, then the client closes: each counted once with the status set, in-flight back to 0', async () => {
  const obs = quiet();
  const app = Fastify();
  instrumentFastify(app, obs);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  app.get('/items/:id', async (req, reply) => {
    if ((req.params as { id: string }).id === '1') {
      reply.code(202);
      await held;
    }
    return 'ok';
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const socket = connect((app.server.address() as AddressInfo).port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write([1, 2, 3].map((i) => `GET /items/${i} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
    // The first is held; the other two were handled and wait behind it.
    await until(() => obs.http.inFlight.value === 3, 'three requests in flight');
    socket.destroy();
    await until(() => obs.http.inFlight.value === 0, 'in-flight back to 0 after the connection closed');
    release();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(obs.http.inFlight.value, 0);
    assert.deepEqual(Object.fromEntries(await routeValues(obs)), { 'GET /items/:id 202': 1, 'GET /items/:id 200': 2 });
  } finally {
    release();
    await app.close();
    obs.close();
  }
});
