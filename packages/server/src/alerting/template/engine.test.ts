import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprint } from '../types.ts';
import { templateData } from './data.ts';
import { DEFAULT_TEMPLATES } from './defaults.ts';
import { createTemplateEngine } from './engine.ts';

const now = Date.UTC(2024, 0, 1);
const mk = (labels: Record<string, string>, endsAt: number, annotations: Record<string, string> = {}) => ({
  labels, annotations, startsAt: now - 1000, endsAt, generatorURL: 'http://prom/graph', updatedAt: now, timeout: false, fingerprint: fingerprint(labels),
});
const data = templateData(
  'team ops',
  { alertname: 'Disk' },
  [mk({ alertname: 'Disk', instance: 'a', env: 'prod' }, 0, { summary: 'full' }), mk({ alertname: 'Disk', instance: 'b', env: 'prod' }, now - 1, { summary: 'full' })],
  'http://am.example',
  now,
);

test('default.tmpl renders what the built-in default texts say', () => {
  const e = createTemplateEngine();
  for (const name of ['__subject', 'slack.default.title', 'slack.default.fallback', 'pagerduty.default.clientURL', 'opsgenie.default.description', 'discord.default.message', 'telegram.default.message']) {
    assert.equal(e.render(`{{ template "${name}" . }}`, data), DEFAULT_TEMPLATES[name]!(data), name);
  }
});

test('user templates, functions and the Go data model', () => {
  const e = createTemplateEngine([{ name: 'my.tmpl', text: '{{ define "my.title" }}{{ .CommonLabels.env | toUpper }}: {{ .GroupLabels.alertname }}{{ end }}' }]);
  assert.equal(e.render('{{ template "my.title" . }}', data), 'PROD: Disk');
  assert.equal(e.render('{{ range .Alerts.Firing }}{{ .Labels.instance }}{{ end }}/{{ len .Alerts.Resolved }}', data), 'a/1');
  assert.equal(e.render('{{ .CommonLabels.SortedPairs.Names | join "," }}', data), 'alertname,env');
  assert.equal(e.render('{{ reReplaceAll "(.*)x" "$1" "boxx" }} {{ 1234567 | humanize }} {{ .Status }}', data), 'box 1.235M firing');
  assert.equal(e.render('<b>{{ .Receiver }}</b>{{ "<i>" | safeHtml }}', { ...data, receiver: '<x>' }, { html: true }), '<b>&lt;x&gt;</b><i>');
  assert.equal(e.render('{{ .CommonLabels.missing }}|', data), '|');
});
