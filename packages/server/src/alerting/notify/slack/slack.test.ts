import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '@vigil/core';
import { runConformance } from '../conformance.ts';
import { slack, slackPayload } from './index.ts';

runConformance({
  factory: slack,
  // Defaults as the config loader applies them (DefaultSlackConfig).
  config: (url) => ({
    api_url: url, send_resolved: false, channel: '#ops', username: '{{ template "slack.default.username" . }}',
    color: '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}', title: '{{ template "slack.default.title" . }}',
    title_link: '{{ template "slack.default.titlelink" . }}', pretext: '{{ template "slack.default.pretext" . }}',
    text: 'custom text', fallback: '{{ template "slack.default.fallback" . }}', callback_id: '{{ template "slack.default.callbackid" . }}',
    icon_emoji: '{{ template "slack.default.iconemoji" . }}', icon_url: '{{ template "slack.default.iconurl" . }}', footer: '{{ template "slack.default.footer" . }}',
  }),
  checkRequest(r) {
    assert.equal(r.path.startsWith('/hook/'), true);
    assert.deepEqual(JSON.parse(r.body), {
      channel: '#ops',
      username: 'Alertmanager',
      attachments: [{
        title: '[FIRING:1] HighLatency (critical)',
        title_link: 'http://vigil.example:9093/#/alerts?receiver=team',
        pretext: '',
        text: 'custom text',
        fallback: '[FIRING:1] HighLatency (critical) | http://vigil.example:9093/#/alerts?receiver=team',
        callback_id: '',
        footer: '',
        color: 'danger',
        mrkdwn_in: ['fallback', 'pretext', 'text'],
      }],
    });
  },
});

test('the seed config renders its Slack messages', async () => {
  const { loadAlertmanagerConfigFile } = await import('../../config/index.ts');
  const { createRenderer, createTemplateEngine } = await import('../../template/index.ts');
  const { conformanceAlerts } = await import('../conformance.ts');
  const cfg = await loadAlertmanagerConfigFile('../shared/fixtures/seed-configs/000-alertmanager.yml');
  const conf = cfg.receivers.find((r) => r.name === 'slack-critical')!.integrations.slack_configs![0]!;
  const now = Date.UTC(2024, 4, 1, 12);
  const body = slackPayload(
    conf,
    { logger: silentLogger(), externalURL: 'http://am', render: createRenderer(createTemplateEngine()) },
    { signal: AbortSignal.timeout(1000), logger: silentLogger(), receiver: 'slack-critical', groupKey: 'k', groupLabels: { alertname: 'HighLatency', severity: 'critical' }, repeatInterval: 0, muteTimeIntervals: [], activeTimeIntervals: [], now },
    conformanceAlerts(now),
  ) as { channel: string; username: string; attachments: Array<{ title: string; text: string; color: string }> };
  assert.equal(body.channel, '#alerts-critical');
  assert.equal(body.username, 'Alertmanager');
  // The seed's emoji prefix is kept byte for byte (it is mojibake in the file itself).
  assert.equal(body.attachments[0]!.title, `${String(conf.title).split('{{')[0]}HighLatency`);
  assert.match(body.attachments[0]!.title, / CRITICAL: HighLatency$/);
  assert.equal(body.attachments[0]!.text, 'descdesc');
  assert.equal(body.attachments[0]!.color, 'danger');
});
