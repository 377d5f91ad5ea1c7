import assert from 'node:assert/strict';
import { runConformance } from '../conformance.ts';
import { msteams } from './index.ts';

runConformance({
  factory: msteams,
  config: (url) => ({ webhook_url: url, send_resolved: true, title: '{{ template "msteams.default.title" . }}', summary: 'sum', text: '{{ template "msteams.default.text" . }}' }),
  checkRequest(r) {
    const b = JSON.parse(r.body);
    assert.equal(b['@context'], 'http://schema.org/extensions');
    assert.equal(b.type, 'MessageCard');
    assert.equal(b.title, '[FIRING:1] HighLatency (critical)');
    assert.equal(b.summary, 'sum');
    assert.equal(b.themeColor, '8C1A1A');
    assert.equal(
      b.text,
      '\n\nAlerts Firing:\nLabels:\n - alertname = HighLatency\n - instance = a\n - severity = critical\nAnnotations:\n - description = desc\n - summary = summary of a\nSource: http://prometheus.example/graph\n\n\n' +
        '\nAlerts Resolved:\nLabels:\n - alertname = HighLatency\n - instance = b\n - severity = critical\nAnnotations:\n - description = desc\n - summary = summary of b\nSource: http://prometheus.example/graph\n\n\n',
    );
  },
});
