import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { silentLogger } from '@vigil/core';
import { createAlertmanager, type Alertmanager } from './alertmanager.ts';
import { NotifyError, type IntegrationFactory } from './notify/index.ts';
import { ManualClock, type Alert } from './types.ts';

/** A working in-memory integration: records each notification; fails on demand. */
function recorder() {
  const sent: Array<{ receiver: string; groupKey: string; alerts: Array<{ name: string; resolved: boolean }>; at: number }> = [];
  const failures: Array<'retry' | 'fatal'> = [];
  let attempts = 0;
  const factory: IntegrationFactory = {
    type: 'webhook',
    schema: { key: 'webhook_configs' },
    create: () => ({
      async notify(ctx, alerts: readonly Alert[]) {
        attempts++;
        const f = failures.shift();
        if (f) throw new NotifyError(`failure ${f}`, f === 'retry');
        sent.push({
          receiver: ctx.receiver,
          groupKey: ctx.groupKey,
          alerts: alerts.map((a) => ({ name: a.labels.instance ?? a.labels.alertname!, resolved: a.endsAt !== 0 && a.endsAt <= ctx.now })),
          at: ctx.now,
        });
      },
    }),
  };
  return { sent, failures, factory, attempts: () => attempts };
}

async function setup(yml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-unit-'));
  writeFileSync(join(dir, 'am.yml'), yml);
  const clock = new ManualClock(Date.UTC(2024, 0, 1, 12)); // a Monday
  const rec = recorder();
  const registry = new Registry();
  const am: Alertmanager = createAlertmanager({
    configFile: join(dir, 'am.yml'), storagePath: join(dir, 'data'), logger: silentLogger(), registry,
    clock, externalUrl: 'http://am', integrations: new Map([['webhook_configs', rec.factory]]),
  });
  await am.start();
  return { am, clock, rec, dir, registry, async close() { await am.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

const BASE = `
route:
  receiver: r
  group_by: [alertname]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 10m
receivers:
  - name: r
    webhook_configs: [{ url: 'http://127.0.0.1:1/', send_resolved: true }]
  - name: quiet
    webhook_configs: [{ url: 'http://127.0.0.1:1/', send_resolved: false }]
`;

test('group_wait, group_interval and repeat_interval follow Alertmanager', async () => {
  const s = await setup(BASE);
  try {
    const t0 = s.clock.now();
    s.am.put([{ labels: { alertname: 'A', instance: '1' } }]);
    await s.clock.advance(9_999);
    assert.equal(s.rec.sent.length, 0, 'nothing before group_wait');
    await s.clock.advance(1);
    assert.deepEqual(s.rec.sent.map((n) => [n.at - t0, n.alerts.map((a) => a.name)]), [[10_000, ['1']]]);
    // A new alert waits for the next group_interval tick.
    s.am.put([{ labels: { alertname: 'A', instance: '2' } }]);
    await s.clock.advance(59_000);
    assert.equal(s.rec.sent.length, 1);
    await s.clock.advance(1_000);
    assert.deepEqual(s.rec.sent[1]!.alerts.map((a) => a.name), ['1', '2']);
    assert.equal(s.rec.sent[1]!.at - t0, 70_000);
    // Keep the alerts alive (resolve_timeout is 5m) as a sender re-posting them would.
    for (let i = 0; i < 11; i++) {
      s.am.put([{ labels: { alertname: 'A', instance: '1' } }, { labels: { alertname: 'A', instance: '2' } }]);
      await s.clock.advance(60_000);
    }
    // Nothing changed: one repeat, at the first tick more than repeat_interval
    // after the last send (670 s is exactly 600 s later, and the check is strict).
    assert.deepEqual(s.rec.sent.map((n) => (n.at - t0) / 1000), [10, 70, 730]);
  } finally {
    await s.close();
  }
});

test('resolved alerts: sent with send_resolved, then dropped from the group', async () => {
  const s = await setup(BASE);
  try {
    const now = s.clock.now();
    s.am.put([{ labels: { alertname: 'A', instance: '1' } }, { labels: { alertname: 'A', instance: '2' } }]);
    await s.clock.advance(10_000);
    s.am.put([{ labels: { alertname: 'A', instance: '1' }, startsAt: new Date(now).toISOString(), endsAt: new Date(now + 20_000).toISOString() }]);
    await s.clock.advance(60_000);
    assert.deepEqual(s.rec.sent[1]!.alerts, [{ name: '1', resolved: true }, { name: '2', resolved: false }]);
    s.am.put([{ labels: { alertname: 'A', instance: '2' } }]);
    await s.clock.advance(60_000);
    assert.equal(s.rec.sent.length, 2, 'resolved alert left the group; nothing new to send');
    assert.equal(s.am.groups()[0]!.alerts.size, 1);
  } finally {
    await s.close();
  }
});

test('an alert older than group_wait flushes at once', async () => {
  const s = await setup(BASE);
  try {
    s.am.put([{ labels: { alertname: 'Old' }, startsAt: new Date(s.clock.now() - 60_000).toISOString() }]);
    await s.clock.advance(0);
    assert.equal(s.rec.sent.length, 1);
  } finally {
    await s.close();
  }
});

test('retryable failures are retried with backoff, others are not', async () => {
  const s = await setup(BASE);
  try {
    s.rec.failures.push('retry', 'retry');
    s.am.put([{ labels: { alertname: 'A' } }]);
    await s.clock.advance(10_000);
    assert.equal(s.rec.sent.length, 0);
    await s.clock.advance(500 + 750);
    assert.equal(s.rec.sent.length, 1);
    assert.equal(s.rec.attempts(), 3);
    s.rec.failures.push('fatal');
    s.am.put([{ labels: { alertname: 'B' } }]);
    await s.clock.advance(10_000 + 5_000);
    assert.equal(s.rec.attempts(), 4, 'not retried');
    assert.equal(s.rec.sent.length, 1);
    // The failed group is tried again at its next group_interval.
    await s.clock.advance(60_000);
    assert.equal(s.rec.sent.length, 2);
    const text = await s.registry.metrics();
    assert.match(text, /^vigil_alertmanager_notifications_total\{integration="webhook"\} 2$/m);
    assert.match(text, /^vigil_alertmanager_notifications_failed_total\{integration="webhook"\} 3$/m);
    assert.match(text, /^vigil_alertmanager_notification_requests_total\{integration="webhook"\} 5$/m);
    assert.match(text, /^vigil_alertmanager_alerts\{state="active"\} 2$/m);
    assert.match(text, /^vigil_alertmanager_alerts_received_total\{status="firing"\} 2$/m);
  } finally {
    await s.close();
  }
});

test('silences, inhibition and mute time intervals keep alerts back', async () => {
  const s = await setup(`
route:
  receiver: r
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1m
  routes:
    - matchers: ['team="night"']
      receiver: r
      mute_time_intervals: [noon]
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [cluster]
time_intervals:
  - name: noon
    time_intervals: [{ times: [{ start_time: '11:00', end_time: '13:00' }] }]
receivers:
  - name: r
    webhook_configs: [{ url: 'http://127.0.0.1:1/' }]
`);
  try {
    const now = s.clock.now();
    const id = s.am.silences.set({ matchers: [{ name: 'alertname', value: 'Sil.*', isRegex: true }], startsAt: now, endsAt: now + 3600_000, createdBy: 't', comment: 'c' });
    s.am.put([
      { labels: { alertname: 'Silenced' } },
      { labels: { alertname: 'Crit', severity: 'critical', cluster: 'a' } },
      { labels: { alertname: 'Warn', severity: 'warning', cluster: 'a' } },
      { labels: { alertname: 'Warn', severity: 'warning', cluster: 'b' } },
      { labels: { alertname: 'Night', team: 'night' } },
    ]);
    await s.clock.advance(1_000);
    const names = s.rec.sent.map((n) => `${n.groupKey.split(':')[1]}=${n.alerts.map((a) => a.name).join(',')}`).sort();
    assert.deepEqual(names, ['{alertname="Crit"}=Crit', '{alertname="Warn"}=Warn']);
    const warn = s.rec.sent.find((n) => n.groupKey.includes('Warn'))!;
    assert.equal(warn.alerts.length, 1, 'only the cluster=b warning passes');
    const st = s.am.status(s.am.store.list().find((a) => a.labels.alertname === 'Silenced')!);
    assert.deepEqual(st, { state: 'suppressed', silencedBy: [id], inhibitedBy: [] });
    // Expire the silence and leave the noon window: both go out on the next tick.
    s.am.silences.expire(id);
    const end = new Date(now + 2 * 3600_000).toISOString();
    s.am.put([{ labels: { alertname: 'Silenced' }, endsAt: end }, { labels: { alertname: 'Night', team: 'night' }, endsAt: end }]);
    await s.clock.advance(3600_000);
    assert.ok(s.rec.sent.some((n) => n.groupKey.includes('Silenced')));
    assert.ok(s.rec.sent.some((n) => n.groupKey.includes('Night') && n.at >= Date.UTC(2024, 0, 1, 13)));
  } finally {
    await s.close();
  }
});

test('a batch with invalid alerts stores the valid ones and names each bad one', async () => {
  const s = await setup(BASE);
  try {
    const r = s.am.put([
      { labels: { alertname: 'ok' } },
      { labels: {} },
      { labels: { 'bad-name': 'x' } },
      { labels: { alertname: 'late' }, startsAt: '2024-01-01T12:00:00Z', endsAt: '2024-01-01T11:00:00Z' },
    ]);
    assert.equal(r.accepted, 1);
    assert.deepEqual(r.errors, [
      'alert 1 {}: at least one label pair required',
      'alert 2 {"bad-name":"x"}: invalid label set: invalid name "bad-name"',
      'alert 3 {"alertname":"late"}: start time must be before end time',
    ]);
    assert.equal(s.am.store.size, 1);
    // Go's zero time, as amtool sends it for "no end", means unset.
    assert.equal(s.am.put([{ labels: { alertname: 'amtool' }, endsAt: '0001-01-01T00:00:00.000Z' }]).accepted, 1);
    const a = s.am.store.list().find((x) => x.labels.alertname === 'amtool')!;
    assert.equal(a.timeout, true);
    assert.equal(a.endsAt, s.clock.now() + 300_000);
  } finally {
    await s.close();
  }
});
