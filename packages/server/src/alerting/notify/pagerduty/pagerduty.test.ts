import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { runConformance, SECRET } from '../conformance.ts';
import { pagerduty } from './index.ts';

runConformance({
  factory: pagerduty,
  config: (url) => ({
    url, routing_key: SECRET, send_resolved: true, severity: 'critical', details: { env: 'prod' },
    description: '{{ template "pagerduty.default.description" .}}'.replace('.}}', '. }}'), client: '{{ template "pagerduty.default.client" . }}',
    client_url: '{{ template "pagerduty.default.clientURL" . }}',
  }),
  checkRequest(r, ctx) {
    assert.deepEqual(JSON.parse(r.body), {
      routing_key: SECRET,
      event_action: 'trigger',
      dedup_key: createHash('sha256').update(ctx.groupKey).digest('hex'),
      payload: {
        summary: '[FIRING:1] HighLatency (critical)',
        source: 'Alertmanager',
        severity: 'critical',
        custom_details: { firing: '1', resolved: '1', num_firing: '1', num_resolved: '1', env: 'prod' },
      },
      client: 'Alertmanager',
      client_url: 'http://vigil.example:9093/#/alerts?receiver=team',
    });
  },
});
