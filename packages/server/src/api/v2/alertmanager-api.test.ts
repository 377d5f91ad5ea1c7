import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { silentLogger } from '@vigil/core';
import { createAlertmanager, ManualClock } from '../../alerting/index.ts';
import { registerAlertmanagerApi } from './alertmanager-api.ts';

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-api-'));
  writeFileSync(
    join(dir, 'am.yml'),
    `route:\n  receiver: a\n  group_by: [alertname]\n  routes:\n    - matchers: ['team="db"']\n      receiver: db\nreceivers:\n  - name: a\n  - name: db\n`,
  );
  const clock = new ManualClock(Date.UTC(2024, 0, 1, 12));
  const am = createAlertmanager({ configFile: join(dir, 'am.yml'), logger: silentLogger(), registry: new Registry(), clock, externalUrl: 'http://am' });
  await am.start();
  const app = Fastify();
  await registerAlertmanagerApi(app, am);
  return { app, am, clock, async close() { await app.close(); await am.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

test('POST /api/v2/alerts: 400 names each bad alert, the valid ones are kept', async () => {
  const s = await setup();
  try {
    const r = await s.app.inject({ method: 'POST', url: '/api/v2/alerts', payload: [{ labels: { alertname: 'A', team: 'db' } }, { labels: { '0x': 'y' } }, { labels: { alertname: 'B' } }] });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json(), 'alert 1 {"0x":"y"}: invalid label set: invalid name "0x"');
    const list = (await s.app.inject({ url: '/api/v2/alerts' })).json() as Array<{ labels: Record<string, string>; receivers: Array<{ name: string }>; status: { state: string }; endsAt: string }>;
    assert.deepEqual(list.map((a) => [a.labels.alertname, a.receivers[0]!.name, a.status.state]).sort(), [['A', 'db', 'active'], ['B', 'a', 'active']]);
    assert.equal(list[0]!.endsAt, '2024-01-01T12:05:00.000Z');
    const f = (await s.app.inject({ url: '/api/v2/alerts?filter=team%3D%22db%22' })).json() as unknown[];
    assert.equal(f.length, 1);
    assert.equal((await s.app.inject({ url: '/api/v2/alerts?filter=%7Bbad' })).statusCode, 400);
    const v1 = await s.app.inject({ method: 'POST', url: '/api/v1/alerts', payload: [{ labels: { alertname: 'C' } }] });
    assert.deepEqual(v1.json(), { status: 'success' });
    const groups = (await s.app.inject({ url: '/api/v2/alerts/groups' })).json() as Array<{ labels: Record<string, string>; receiver: { name: string } }>;
    assert.deepEqual(groups.map((g) => [g.labels.alertname, g.receiver.name]), [['A', 'db'], ['B', 'a'], ['C', 'a']]);
  } finally {
    await s.close();
  }
});

test('silences: create, get, list, update, expire; malformed ones refused with the reason', async () => {
  const s = await setup();
  try {
    const base = { matchers: [{ name: 'alertname', value: 'A', isRegex: false, isEqual: true }], startsAt: '2024-01-01T12:00:00Z', endsAt: '2024-01-01T13:00:00Z', createdBy: 'me', comment: 'c' };
    const bad = await s.app.inject({ method: 'POST', url: '/api/v2/silences', payload: { ...base, matchers: [{ name: 'x', value: '.*', isRegex: true }] } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json(), 'invalid silence: at least one matcher must not match the empty string');
    const past = await s.app.inject({ method: 'POST', url: '/api/v2/silences', payload: { ...base, endsAt: '2024-01-01T11:00:00Z' } });
    assert.equal(past.statusCode, 400);
    const { silenceID } = (await s.app.inject({ method: 'POST', url: '/api/v2/silences', payload: base })).json() as { silenceID: string };
    const got = (await s.app.inject({ url: `/api/v2/silence/${silenceID}` })).json() as { status: { state: string }; matchers: unknown[] };
    assert.equal(got.status.state, 'active');
    // Same matchers: updated in place, same ID.
    const upd = (await s.app.inject({ method: 'POST', url: '/api/v2/silences', payload: { ...base, id: silenceID, comment: 'longer', endsAt: '2024-01-01T14:00:00Z' } })).json() as { silenceID: string };
    assert.equal(upd.silenceID, silenceID);
    assert.equal((await s.app.inject({ method: 'DELETE', url: `/api/v2/silence/${silenceID}` })).statusCode, 200);
    assert.equal((await s.app.inject({ method: 'DELETE', url: `/api/v2/silence/${silenceID}` })).statusCode, 500);
    assert.equal((await s.app.inject({ method: 'DELETE', url: '/api/v2/silence/nope' })).statusCode, 404);
    const list = (await s.app.inject({ url: '/api/v2/silences' })).json() as Array<{ status: { state: string }; comment: string }>;
    assert.deepEqual(list.map((x) => [x.status.state, x.comment]), [['expired', 'longer']]);
  } finally {
    await s.close();
  }
});

test('status and receivers', async () => {
  const s = await setup();
  try {
    const st = (await s.app.inject({ url: '/api/v2/status' })).json() as { cluster: { status: string }; config: { original: string } };
    assert.equal(st.cluster.status, 'disabled');
    assert.match(st.config.original, /receiver: db/);
    assert.deepEqual((await s.app.inject({ url: '/api/v2/receivers' })).json(), [{ name: 'a' }, { name: 'db' }]);
  } finally {
    await s.close();
  }
});
