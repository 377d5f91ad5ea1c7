import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { IncomingMessage, ServerResponse, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { vigil } from '../../vigil.ts';
import { instrumentExpress } from './middleware.ts';
import { buildWithAppPrototypes } from './app-prototypes.ts';

const quiet = () => vigil({ service: 't', logger: { level: 'silent' }, defaultMetrics: false });
const classOf = (server: Server, description: string) => (server as unknown as Record<symbol, unknown>)[Object.getOwnPropertySymbols(server).find((s) => s.description === description)!];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function shapes(mode: 'on' | 'off'): { pairs: number; sameRequest: number; sameResponse: number; prototypes: number; instances: number; requests: number } {
  const app = fileURLToPath(new URL('../../../test/fixtures/express-shapes-app.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', app, mode], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

test('express: requests built with the app prototypes share hidden classes; left to Express they do not before Node 24', () => {
  const on = shapes('on');
  assert.equal(on.pairs, 50);
  assert.equal(on.sameRequest, 50, 'two requests in flight at once have one hidden class');
  assert.equal(on.sameResponse, 50);
  // What Express would have made of them: its prototypes, Node's classes.
  assert.equal(on.prototypes, on.requests);
  assert.equal(on.instances, on.requests);
  const off = shapes('off');
  assert.equal(off.prototypes, off.requests);
  if (Number(process.versions.node.split('.')[0]) < 24) assert.equal(off.sameRequest, 0, "V8 before Node 24 gives every request Express re-prototypes a hidden class of its own");
});

test('express: a server that starts listening with an instrumented app builds every request with its prototypes, the first one included', async () => {
  const obs = quiet();
  const app = instrumentExpress(express(), obs);
  app.get('/p', (req, res) => void res.send(Object.getPrototypeOf(req) === app.request ? 'app' : 'other'));
  const viaCreate = createServer(app);
  const viaListen = app.listen(0, '127.0.0.1');
  await new Promise((r) => viaListen.once('listening', r));
  const other = createServer((_req, res) => void res.end('plain'));
  try {
    for (const server of [viaCreate, viaListen]) {
      if (!server.listening) await listen(server);
      // Before any request: the listen() call itself had the server shaped.
      assert.equal((classOf(server, 'IncomingMessage') as { prototype: unknown }).prototype, app.request);
      assert.equal((classOf(server, 'ServerResponse') as { prototype: unknown }).prototype, app.response);
      const { port } = server.address() as AddressInfo;
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/p`)).text(), 'app');
    }
    // A server whose listener is not an instrumented app keeps Node's classes.
    const url = await listen(other);
    assert.equal(classOf(other, 'IncomingMessage'), IncomingMessage);
    assert.equal(await (await fetch(url)).text(), 'plain');
    assert.equal(classOf(other, 'IncomingMessage'), IncomingMessage);
  } finally {
    viaCreate.close();
    viaListen.close();
    other.close();
    obs.close();
  }
});

test('express: a server already listening when the app is instrumented builds requests with the app prototypes after its first request; routes, mounts and 404s unchanged', async () => {
  const obs = quiet();
  const plain = express();
  const server = createServer(plain);
  const url = await listen(server);
  const app = instrumentExpress(plain, obs, { appPrototypes: true });
  const api = express.Router();
  api.get('/items/:id', (req, res) => void res.json({ id: req.params.id, proto: Object.getPrototypeOf(req) === app.request }));
  app.use('/api', api);
  const sub = express();
  sub.get('/ping', (req, res) => void res.send(Object.getPrototypeOf(req) === sub.request ? 'sub' : 'other'));
  app.use('/sub', sub);
  try {
    assert.equal(classOf(server, 'IncomingMessage'), IncomingMessage);
    assert.deepEqual(await (await fetch(`${url}/api/items/1`)).json(), { id: '1', proto: true });
    const Built = classOf(server, 'IncomingMessage') as { prototype: unknown };
    assert.notEqual(Built, IncomingMessage);
    assert.equal(Built.prototype, app.request);
    assert.equal((classOf(server, 'ServerResponse') as { prototype: unknown }).prototype, app.response);
    assert.deepEqual(await (await fetch(`${url}/api/items/2`)).json(), { id: '2', proto: true });
    assert.equal(await (await fetch(`${url}/sub/ping`)).text(), 'sub');
    assert.equal((await fetch(`${url}/nope`)).status, 404);
    const routes = new Map((await obs.http.requests.get()).values.map((v) => [`${v.labels.route} ${v.labels.status}`, v.value]));
    assert.deepEqual(Object.fromEntries(routes), { '/api/items/:id 200': 2, '/sub/ping 200': 1, 'unmatched 404': 1 });
  } finally {
    server.close();
    obs.close();
  }
});

test('express: servers with their own request classes, other request listeners, or appPrototypes: false are left alone', async () => {
  class MyRequest extends IncomingMessage {}
  const cases: Array<[string, (app: express.Express) => Server, boolean | undefined]> = [
    ['own IncomingMessage', (app) => createServer({ IncomingMessage: MyRequest }, app), undefined],
    ['listener wraps the app', (app) => createServer((req, res) => app(req, res)), undefined],
    ['appPrototypes: false', (app) => createServer(app), false],
  ];
  for (const [name, make, appPrototypes] of cases) {
    const obs = quiet();
    const app = instrumentExpress(express(), obs, { appPrototypes });
    app.get('/x', (req, res) => void res.send(req instanceof IncomingMessage && res instanceof ServerResponse ? 'ok' : 'bad'));
    const server = make(app);
    const before = classOf(server, 'IncomingMessage');
    const url = await listen(server);
    try {
      for (let i = 0; i < 3; i++) assert.equal(await (await fetch(`${url}/x`)).text(), 'ok', name);
      assert.equal(classOf(server, 'IncomingMessage'), before, name);
      assert.equal(classOf(server, 'ServerResponse'), ServerResponse, name);
    } finally {
      server.close();
      obs.close();
    }
  }
  // Prototypes that are not Express's (not built on Node's classes): refused.
  assert.equal(buildWithAppPrototypes(createServer(), {}, {}), false);
});
