import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { silentLogger } from '@vigil/core';
import { createAlertmanager, ManualClock } from '../../alerting/index.ts';
import { registerVigilAlertingApi } from './vigil-api.ts';

test('history, groups and acks over HTTP', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-vapi-'));
  writeFileSync(join(dir, 'am.yml'), `route:\n  receiver: a\n  group_by: [alertname]\n  group_wait: 1s\nreceivers:\n  - name: a\n`);
  const clock = new ManualClock(Date.UTC(2024, 0, 1, 12));
  const am = createAlertmanager({ configFile: join(dir, 'am.yml'), logger: silentLogger(), registry: new Registry(), clock, externalUrl: 'http://am' });
  await am.start();
  const app = Fastify();
  await registerVigilAlertingApi(app, am);
  try {
    am.put([{ labels: { alertname: 'A', team: 'x' } }, { labels: { alertname: 'B' } }]);
    const groups = (await app.inject({ url: '/api/vigil/v1/groups' })).json() as Array<{ groupKey: string; firing: number; acknowledged: unknown }>;
    assert.deepEqual(groups.map((g) => [g.groupKey, g.firing, g.acknowledged]).sort(), [['{}:{alertname="A"}', 1, null], ['{}:{alertname="B"}', 1, null]]);
    assert.equal((await app.inject({ method: 'POST', url: '/api/vigil/v1/acks', payload: { groupKey: '{}:{alertname="A"}' } })).statusCode, 400);
    assert.equal((await app.inject({ method: 'POST', url: '/api/vigil/v1/acks', payload: { groupKey: 'nope', by: 'bob' } })).statusCode, 404);
    const ack = await app.inject({ method: 'POST', url: '/api/vigil/v1/acks', payload: { groupKey: '{}:{alertname="A"}', by: 'bob', comment: 'mine' } });
    assert.equal(ack.statusCode, 200);
    assert.equal((await app.inject({ url: '/api/vigil/v1/acks' })).json()[0].by, 'bob');
    const h = (await app.inject({ url: '/api/vigil/v1/history?filter=team%3D%22x%22' })).json() as Array<{ kind: string; ts: string }>;
    assert.deepEqual(h.map((e) => [e.kind, e.ts]), [['firing', '2024-01-01T12:00:00.000Z']]);
    assert.deepEqual(((await app.inject({ url: '/api/vigil/v1/history?kind=acknowledged' })).json() as Array<{ by: string }>).map((e) => e.by), ['bob']);
    assert.equal((await app.inject({ url: '/api/vigil/v1/history?kind=bogus' })).statusCode, 400);
    assert.equal((await app.inject({ url: `/api/vigil/v1/history?from=${Date.UTC(2024, 0, 1, 13) / 1000}` })).json().length, 0);
    assert.equal((await app.inject({ method: 'DELETE', url: '/api/vigil/v1/acks?groupKey=%7B%7D%3A%7Balertname%3D%22A%22%7D' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'DELETE', url: '/api/vigil/v1/acks?groupKey=x' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'POST', url: '/api/vigil/v1/receivers/nope/test' })).statusCode, 404);
  } finally {
    await app.close();
    await am.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('test send goes through every integration of the receiver, at once', async () => {
  const { createServer } = await import('node:http');
  const bodies: Array<{ receiver: string; alerts: Array<{ labels: Record<string, string> }> }> = [];
  let status = 200;
  const srv = createServer((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => {
      bodies.push(JSON.parse(b));
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-test-send-'));
  writeFileSync(join(dir, 'am.yml'), `route:\n  receiver: hook\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: http://127.0.0.1:${port}/secret-path\n`);
  const am = createAlertmanager({ configFile: join(dir, 'am.yml'), logger: silentLogger(), registry: new Registry(), externalUrl: 'http://am' });
  await am.start();
  const app = Fastify();
  await registerVigilAlertingApi(app, am);
  try {
    const r = await app.inject({ method: 'POST', url: '/api/vigil/v1/receivers/hook/test', payload: {} });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { results: [{ integration: 'webhook', index: 0 }] });
    assert.equal(bodies[0]!.receiver, 'hook');
    assert.equal(bodies[0]!.alerts[0]!.labels.alertname, 'TestAlert');
    status = 500;
    const bad = await app.inject({ method: 'POST', url: '/api/vigil/v1/receivers/hook/test', payload: { alerts: [{ labels: { alertname: 'Mine' } }] } });
    assert.equal(bad.statusCode, 502);
    const err = (bad.json() as { results: Array<{ error: string }> }).results[0]!.error;
    assert.match(err, /status code 500/);
    assert.ok(!err.includes('secret-path'), err);
    assert.equal(bodies[1]!.alerts[0]!.labels.alertname, 'Mine');
  } finally {
    await app.close();
    await am.stop();
    await new Promise((r) => srv.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
