// Differential test: the same timed scenario through Debian's
// prometheus-alertmanager and through Vigil's standalone router, each
// notifying a webhook receiver on loopback; the notifications must match
// (grouping, content, order, resolved) once times are normalised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@vigil/core';
import { startStandaloneAlertmanager } from '../../packages/server/src/api/v2/index.ts';
import { DEBIAN_ALERTMANAGER, post, startDebianAlertmanager, startHook, type Hook } from './alertmanager-helpers.ts';

const config = (hookURL: string) => `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - matchers: ['team="db"']
      receiver: db
      group_by: ['...']
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [cluster]
receivers:
  - name: hook
    webhook_configs:
      - url: ${hookURL}?r=hook
  - name: db
    webhook_configs:
      - url: ${hookURL}?r=db
        send_resolved: false
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One scenario step: at `at` ms after the start, post these alerts. */
type Step = { at: number; alerts: Array<Record<string, unknown>> };
const iso = (ms: number) => new Date(ms).toISOString();

function scenario(t0: number): Step[] {
  return [
    {
      at: 0,
      alerts: [
        { labels: { alertname: 'HighCPU', instance: 'b:9100', job: 'node', severity: 'page' }, annotations: { summary: 'cpu b' } },
        { labels: { alertname: 'HighCPU', instance: 'a:9100', job: 'node', severity: 'page' }, annotations: { summary: 'cpu a' } },
        { labels: { alertname: 'DiskFull', cluster: 'eu1', severity: 'critical' }, annotations: { summary: 'disk' } },
        { labels: { alertname: 'DiskSlow', cluster: 'eu1', severity: 'warning' } },
        { labels: { alertname: 'DiskSlow', cluster: 'us1', severity: 'warning' } },
        { labels: { alertname: 'Muted', team: 'x' } },
        { labels: { alertname: 'Replica', team: 'db', instance: 'db1' }, startsAt: iso(t0 - 60_000) },
      ],
    },
    { at: 2000, alerts: [{ labels: { alertname: 'HighCPU', instance: 'c:9100', job: 'node', severity: 'page' } }] },
    {
      at: 4000,
      alerts: [
        { labels: { alertname: 'HighCPU', instance: 'b:9100', job: 'node', severity: 'page' }, annotations: { summary: 'cpu b' }, startsAt: iso(t0), endsAt: iso(t0 + 4000) },
        { labels: { alertname: 'Replica', team: 'db', instance: 'db1' }, startsAt: iso(t0 - 60_000), endsAt: iso(t0 + 4000) },
      ],
    },
  ];
}

/** Strips what legitimately differs (times, URLs) and keeps everything else. */
function normalise(b: Record<string, any>, hookURL: string) { // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    ...b,
    externalURL: '<url>',
    alerts: b.alerts.map((a: Record<string, unknown>) => ({
      ...a,
      startsAt: '<t>',
      endsAt: a.endsAt === '0001-01-01T00:00:00Z' ? 'zero' : '<t>',
      generatorURL: a.generatorURL,
    })),
    hook: hookURL.length > 0,
  };
}

async function runScenario(base: string, hook: Hook, t0: number, steps: Step[] = scenario(t0)): Promise<void> {
  const sil = await post(`${base}/api/v2/silences`, {
    matchers: [{ name: 'alertname', value: 'Muted', isRegex: false, isEqual: true }],
    startsAt: iso(Date.now()),
    endsAt: iso(Date.now() + 3600_000),
    createdBy: 'test',
    comment: 'differential',
  });
  assert.equal(sil.status, 200, await sil.text());
  for (const s of steps) {
    const wait = t0 + s.at - Date.now();
    if (wait > 0) await sleep(wait);
    const r = await post(`${base}/api/v2/alerts`, s.alerts);
    assert.equal(r.status, 200, await r.text());
  }
  void hook;
}

test('Vigil notifies like Debian alertmanager', { skip: !existsSync(DEBIAN_ALERTMANAGER) && 'alertmanager not installed', timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-diff-'));
  const hookAM = await startHook();
  const hookV = await startHook();
  writeFileSync(join(dir, 'am.yml'), config(hookAM.url));
  writeFileSync(join(dir, 'vigil.yml'), config(hookV.url));
  const am = await startDebianAlertmanager(join(dir, 'am.yml'), join(dir, 'am-data'));
  const vigil = await startStandaloneAlertmanager({
    configFile: join(dir, 'vigil.yml'),
    storagePath: join(dir, 'vigil-data'),
    listenAddress: '127.0.0.1:0',
    logger: silentLogger(),
  });
  try {
    const t0 = Date.now() + 200;
    await Promise.all([runScenario(am.url, hookAM, t0), runScenario(vigil.url, hookV, t0)]);
    // The last flush with news is at 5 s; wait past the 7 s one to see nothing else comes.
    await sleep(t0 + 8000 - Date.now());
    const byGroup = (h: Hook) => {
      const m = new Map<string, unknown[]>();
      for (const b of h.bodies) {
        const k = String(b.groupKey) + ' ' + String(b.receiver);
        if (!m.has(k)) m.set(k, []);
        m.get(k)!.push(normalise(b, h.url));
      }
      return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
    };
    const want = byGroup(hookAM);
    const got = byGroup(hookV);
    assert.ok(hookAM.bodies.length >= 4, `alertmanager sent ${hookAM.bodies.length} notifications`);
    if (process.env.AM_DIFF_DUMP) console.log(JSON.stringify(want, null, 1));
    assert.deepEqual(got, want);

    // The API views agree too: same alerts with the same states.
    const view = async (base: string) =>
      ((await (await fetch(`${base}/api/v2/alerts`)).json()) as Array<Record<string, any>>) // eslint-disable-line @typescript-eslint/no-explicit-any
        .map((a) => ({ fp: a.fingerprint, labels: a.labels, state: a.status.state, inhibited: a.status.inhibitedBy.length, silenced: a.status.silencedBy.length, receivers: a.receivers }))
        .sort((a, b) => (a.fp < b.fp ? -1 : 1));
    assert.deepEqual(await view(vigil.url), await view(am.url));
  } finally {
    await vigil.close();
    await am.stop();
    await hookAM.close();
    await hookV.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const config2 = (hookURL: string) => `
global:
  resolve_timeout: 3s
route:
  receiver: all
  group_by: [service]
  group_wait: 500ms
  group_interval: 1s
  # Half-way between flush ticks: a 3s repeat lands exactly on a tick, where
  # millisecond jitter decides (in Alertmanager too) whether it repeats.
  repeat_interval: 2500ms
  routes:
    - matchers: ['service="night"']
      receiver: all
      mute_time_intervals: [always]
    - matchers: ['service="legacy"']
      receiver: all
      active_time_intervals: [long-ago]
    - matchers: ['service="daytime"']
      receiver: all
      active_time_intervals: [always]
    - matchers: ['severity=~"crit.*"']
      receiver: pager
      continue: true
    - matchers: ['service="api"']
      receiver: api
time_intervals:
  - name: always
    time_intervals:
      - weekdays: ['sunday:saturday']
        times: [{ start_time: '00:00', end_time: '24:00' }]
  - name: long-ago
    time_intervals:
      - years: ['2001:2002']
receivers:
  - name: all
    webhook_configs: [{ url: '${hookURL}?r=all' }]
  - name: pager
    webhook_configs: [{ url: '${hookURL}?r=pager', max_alerts: 1 }]
  - name: api
    webhook_configs: [{ url: '${hookURL}?r=api' }]
`;

test('repeat_interval, resolve_timeout, continue, max_alerts and time intervals match Debian alertmanager', { skip: !existsSync(DEBIAN_ALERTMANAGER) && 'alertmanager not installed', timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-diff2-'));
  const hookAM = await startHook();
  const hookV = await startHook();
  writeFileSync(join(dir, 'am.yml'), config2(hookAM.url));
  writeFileSync(join(dir, 'vigil.yml'), config2(hookV.url));
  const am = await startDebianAlertmanager(join(dir, 'am.yml'), join(dir, 'am-data'));
  const vigil = await startStandaloneAlertmanager({ configFile: join(dir, 'vigil.yml'), storagePath: join(dir, 'vigil-data'), listenAddress: '127.0.0.1:0', logger: silentLogger() });
  try {
    const t0 = Date.now() + 200;
    const far = iso(t0 + 600_000);
    // Times are chosen mid-way between flush ticks (500 ms + n s) so jitter cannot reorder them.
    const steps: Step[] = [
      { at: 0, alerts: [
        { labels: { alertname: 'Err', service: 'api', severity: 'critical', instance: '1' }, endsAt: far },
        { labels: { alertname: 'Err', service: 'api', severity: 'critical', instance: '2' }, endsAt: far },
        { labels: { alertname: 'Slow', service: 'web', severity: 'warning' } }, // no endsAt: resolves after resolve_timeout
        { labels: { alertname: 'Muted', service: 'night' }, endsAt: far },
        { labels: { alertname: 'Inactive', service: 'legacy' }, endsAt: far },
        { labels: { alertname: 'Active', service: 'daytime' }, endsAt: far },
      ] },
      { at: 1000, alerts: [{ labels: { alertname: 'Lat', service: 'api', severity: 'warning' }, endsAt: far }] },
    ];
    await Promise.all([runScenario(am.url, hookAM, t0, steps), runScenario(vigil.url, hookV, t0, steps)]);
    await sleep(t0 + 7000 - Date.now());
    const byGroup = (h: Hook) => {
      const m = new Map<string, unknown[]>();
      for (const b of h.bodies) {
        const k = `${String(b.groupKey)} ${String(b.receiver)}`;
        if (!m.has(k)) m.set(k, []);
        m.get(k)!.push(normalise(b, h.url));
      }
      return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
    };
    const want = byGroup(hookAM);
    if (process.env.AM_DIFF_DUMP) console.log(JSON.stringify(want, null, 1));
    assert.ok(hookAM.bodies.length >= 6, `alertmanager sent ${hookAM.bodies.length} notifications`);
    const services = new Set(hookAM.bodies.map((b) => b.groupLabels.service));
    assert.ok(services.has('daytime') && !services.has('night') && !services.has('legacy'), [...services].join());
    assert.deepEqual(byGroup(hookV), want);
  } finally {
    await vigil.close();
    await am.stop();
    await hookAM.close();
    await hookV.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
