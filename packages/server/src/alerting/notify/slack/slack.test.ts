import assert from 'node:assert/strict';
import { runConformance } from '../conformance.ts';
import { slack } from './index.ts';

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
