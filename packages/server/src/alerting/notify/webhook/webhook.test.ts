import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runConformance } from '../conformance.ts';
import { webhook } from './index.ts';

runConformance({
  factory: webhook,
  config: (url) => ({ url, send_resolved: true, max_alerts: 1 }),
  checkRequest(r, ctx) {
    assert.equal(r.method, 'POST');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.body, JSON.stringify({
      receiver: 'team',
      status: 'firing',
      alerts: [{
        status: 'firing',
        labels: { alertname: 'HighLatency', instance: 'a', severity: 'critical' },
        annotations: { description: 'desc', summary: 'summary of a' },
        startsAt: '2024-05-01T11:59:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.example/graph',
        fingerprint: '69d7513c9a9d11c6',
      }],
      groupLabels: { alertname: 'HighLatency' },
      commonLabels: { alertname: 'HighLatency', instance: 'a', severity: 'critical' },
      commonAnnotations: { description: 'desc', summary: 'summary of a' },
      externalURL: 'http://vigil.example:9093',
      version: '4',
      groupKey: ctx.groupKey,
      truncatedAlerts: 1,
    }));
  },
});

test('webhook: timeout bounds one attempt, as a retryable failure', async () => {
  const { createServer } = await import('node:http');
  const { silentLogger } = await import('@vigil/core');
  const { NotifyError } = await import('../notifier.ts');
  const { conformanceAlerts } = await import('../conformance.ts');
  const srv = createServer(() => undefined); // never answers
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const now = Date.now();
  const t0 = Date.now();
  try {
    await assert.rejects(
      webhook.create({ url: `http://127.0.0.1:${port}/x`, send_resolved: true, timeout: 200 }, { logger: silentLogger(), externalURL: '' }).notify(
        { signal: AbortSignal.timeout(10_000), logger: silentLogger(), receiver: 'r', groupKey: 'k', groupLabels: {}, repeatInterval: 0, muteTimeIntervals: [], activeTimeIntervals: [], now },
        conformanceAlerts(now),
      ),
      (e: unknown) => e instanceof NotifyError && e.retryable,
    );
    assert.ok(Date.now() - t0 < 5000);
  } finally {
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
  }
});
