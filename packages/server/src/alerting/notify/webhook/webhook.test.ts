import assert from 'node:assert/strict';
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
