import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { labelsFromObject } from '@vigil/core';
import { Registry } from 'prom-client';
import { Notifier, alertmanagerTargets } from './index.ts';
import type { PostableAlertJSON } from './types.ts';

async function receiver(status = 200): Promise<{ url: string; bodies: Array<{ path: string; auth?: string; alerts: PostableAlertJSON[] }>; close: () => Promise<void> }> {
  const bodies: Array<{ path: string; auth?: string; alerts: PostableAlertJSON[] }> = [];
  const srv = createServer((req: IncomingMessage, res) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => {
      bodies.push({ path: req.url!, auth: req.headers.authorization, alerts: JSON.parse(b) });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `127.0.0.1:${(srv.address() as AddressInfo).port}`, bodies, close: () => new Promise((r) => srv.close(() => r())) };
}

const alert = (name: string, extra: Record<string, string> = {}) => ({
  labels: labelsFromObject({ alertname: name, ...extra }),
  annotations: labelsFromObject({ summary: 's' }),
  startsAt: 1_700_000_000_000,
  endsAt: 1_700_000_240_000,
  generatorURL: 'http://vigil/graph?g0.expr=up&g0.tab=1',
});

test('notifier: posts v2 batches with external labels to every Alertmanager and the local router', async () => {
  const a = await receiver();
  const b = await receiver(500);
  const local: PostableAlertJSON[][] = [];
  const registry = new Registry();
  try {
    const n = new Notifier({ registry, local: { put: (x) => local.push([...x]) } });
    await n.applyConfig({
      global: { external_labels: { cluster: 'eu', alertname: 'ignored' } },
      alerting: { alertmanagers: [{ static_configs: [{ targets: [a.url, b.url] }], scheme: 'http', path_prefix: '/am/', timeout: 2000, api_version: 'v2', bearer_token: 'tok' }] },
    });
    n.send([alert('A'), alert('B', { cluster: 'us' })]);
    await n.drained();
    assert.equal(a.bodies.length, 1);
    assert.equal(a.bodies[0]!.path, '/am/api/v2/alerts');
    assert.equal(a.bodies[0]!.auth, 'Bearer tok');
    assert.deepEqual(a.bodies[0]!.alerts[0], {
      labels: { alertname: 'A', cluster: 'eu' },
      annotations: { summary: 's' },
      startsAt: '2023-11-14T22:13:20Z',
      endsAt: '2023-11-14T22:17:20Z',
      generatorURL: 'http://vigil/graph?g0.expr=up&g0.tab=1',
    });
    assert.equal(a.bodies[0]!.alerts[1]!.labels.cluster, 'us', 'the alert’s own label wins over an external label');
    assert.equal(local.length, 1);
    assert.equal(b.bodies.length, 1);
    const m = await registry.getMetricsAsJSON();
    const errs = m.find((x) => x.name === 'vigil_notifications_errors_total')!;
    assert.equal((errs.values as Array<{ value: number }>)[0]!.value, 2);
  } finally {
    await a.close();
    await b.close();
  }
});

test('notifier: a full queue drops the oldest alerts; batches are bounded', async () => {
  const a = await receiver();
  try {
    const n = new Notifier({ queueCapacity: 3, maxBatchSize: 2 });
    n.setTargets(alertmanagerTargets([{ static_configs: [{ targets: [a.url] }], scheme: 'http', path_prefix: '', timeout: 2000, api_version: 'v2' }]));
    n.send([alert('1'), alert('2'), alert('3'), alert('4'), alert('5')]);
    await n.drained();
    assert.deepEqual(a.bodies.map((x) => x.alerts.map((y) => y.labels.alertname)), [['3', '4'], ['5']]);
    assert.throws(() => alertmanagerTargets([{ static_configs: [], scheme: 'http', path_prefix: '', timeout: 1, api_version: 'v1' }]), /v1 is not supported/);
  } finally {
    await a.close();
  }
});

test('notifier: alert_relabel_configs, global and per Alertmanager', async () => {
  const a = await receiver();
  const b = await receiver();
  try {
    const n = new Notifier();
    const rc = (over: Record<string, unknown>) => ({ source_labels: [], separator: ';', regex: '(.*)', target_label: '', replacement: '$1', action: 'replace', modulus: 0, ...over }) as never;
    await n.applyConfig({
      global: { external_labels: { cluster: 'eu' } },
      alerting: {
        alert_relabel_configs: [rc({ source_labels: ['severity'], regex: 'debug', action: 'drop' })],
        alertmanagers: [
          { static_configs: [{ targets: [a.url] }], scheme: 'http', path_prefix: '', timeout: 2000, api_version: 'v2' },
          { static_configs: [{ targets: [b.url] }], scheme: 'http', path_prefix: '', timeout: 2000, api_version: 'v2', alert_relabel_configs: [rc({ source_labels: ['cluster'], target_label: 'region' })] },
        ],
      },
    });
    n.send([alert('A', { severity: 'page' }), alert('B', { severity: 'debug' })]);
    await n.drained();
    assert.deepEqual(a.bodies[0]!.alerts.map((x) => x.labels), [{ alertname: 'A', cluster: 'eu', severity: 'page' }]);
    assert.deepEqual(b.bodies[0]!.alerts.map((x) => x.labels), [{ alertname: 'A', cluster: 'eu', region: 'eu', severity: 'page' }]);
  } finally {
    await a.close();
    await b.close();
  }
});
