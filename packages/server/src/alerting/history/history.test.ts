import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { silentLogger } from '@vigil/core';
import { createAlertmanager } from '../alertmanager.ts';
import type { IntegrationFactory } from '../notify/index.ts';
import { ManualClock } from '../types.ts';

const YML = `
route:
  receiver: r
  group_by: [alertname]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 5m
receivers:
  - name: r
    webhook_configs: [{ url: 'http://127.0.0.1:1/' }]
`;

async function setup(dir: string, clock: ManualClock) {
  const sent: string[][] = [];
  const rec: IntegrationFactory = {
    type: 'webhook', schema: { key: 'webhook_configs' },
    create: () => ({ async notify(_c, alerts) { sent.push(alerts.map((a) => a.labels.instance!)); } }),
  };
  const am = createAlertmanager({
    configFile: join(dir, 'am.yml'), storagePath: join(dir, 'data'), logger: silentLogger(), registry: new Registry(), clock,
    externalUrl: 'http://am', integrations: new Map([['webhook_configs', rec]]),
  });
  await am.start();
  return { am, sent };
}

test('acknowledged groups get no repeats until a new alert fires; history records every step and survives restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-hist-'));
  writeFileSync(join(dir, 'am.yml'), YML);
  const clock = new ManualClock(Date.UTC(2024, 0, 1, 12));
  const t0 = clock.now();
  const { am, sent } = await setup(dir, clock);
  const endsAt = new Date(t0 + 3 * 3600_000).toISOString();
  try {
    am.put([{ labels: { alertname: 'A', instance: '1' }, endsAt }]);
    await clock.advance(10_000);
    assert.deepEqual(sent, [['1']]);
    const key = am.groups()[0]!.groupKey;
    am.ackGroup(key, 'alice', 'looking');
    await clock.advance(20 * 60_000);
    assert.equal(sent.length, 1, 'no repeat while acknowledged');
    am.put([{ labels: { alertname: 'A', instance: '2' }, endsAt }]);
    await clock.advance(60_000);
    assert.deepEqual(sent.at(-1), ['1', '2']);
    assert.equal(am.acks.get(key), undefined, 'a new firing alert clears the ack');
    // Explicit resolution of 1 is recorded and notified.
    am.put([{ labels: { alertname: 'A', instance: '1' }, startsAt: new Date(t0).toISOString(), endsAt: new Date(clock.now()).toISOString() }]);
    await clock.advance(60_000);
    const kinds = am.history.query({ limit: 100 }).reverse().map((e) => `${e.kind}${e.by ? `:${e.by}` : ''}`);
    assert.deepEqual(kinds, ['firing', 'notified', 'acknowledged:alice', 'firing', 'unacknowledged', 'notified', 'resolved', 'notified']);
    assert.equal(am.history.query({ kinds: ['notified'], fingerprint: am.store.list().find((a) => a.labels.instance === '2')!.fingerprint }).length, 2);
    assert.equal(am.history.query({ from: t0 + 11 * 60_000 }).length, kinds.length - 3);
    await am.stop();
    // A torn last line (crash mid-append) is skipped; the rest is back.
    appendFileSync(join(dir, 'data', 'history.jsonl'), '{"ts":1,"kin');
    const again = await setup(dir, clock);
    assert.equal(again.am.history.query().length, kinds.length);
    await again.am.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
