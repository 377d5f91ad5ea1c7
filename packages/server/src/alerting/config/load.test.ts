import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigErrors } from '@vigil/core';
import { parseAlertmanagerConfig } from './load.ts';

const dir = new URL('./testdata/', import.meta.url).pathname;
const rel = (f: string) => `testdata/${f}`;

/** Every bad file with its exact errors, in file order. */
const BAD: Record<string, string[]> = {
  'unknown-key.bad.yml': ['testdata/unknown-key.bad.yml:3:3: route.group_wiat: field group_wiat not found'],
  'undefined-receiver.bad.yml': ['testdata/undefined-receiver.bad.yml:4:17: route.routes[0].receiver: undefined receiver "b" used in route'],
  'bad-matcher.bad.yml': [
    'testdata/bad-matcher.bad.yml:5:18: route.routes[0].matchers[0]: invalid regular expression in matcher x=~"(unclosed": error parsing regexp: missing closing ): `(unclosed`',
    'testdata/bad-matcher.bad.yml:5:36: route.routes[0].matchers[1]: bad matcher format: nonsense',
  ],
  'slack-no-url.bad.yml': [
    'testdata/slack-no-url.bad.yml:6:9: receivers[0].slack_configs[0]: no global Slack API URL set either inline or in a file',
    'testdata/slack-no-url.bad.yml:7:11: receivers[1].name: notification config name "a" is not unique',
    'testdata/slack-no-url.bad.yml:9:9: receivers[1].email_configs[0]: no global SMTP smarthost set',
    'testdata/slack-no-url.bad.yml:9:9: receivers[1].email_configs[0]: no global SMTP from set',
  ],
  'root-matchers.bad.yml': [
    'testdata/root-matchers.bad.yml:2:3: route: root route must specify a default receiver',
    'testdata/root-matchers.bad.yml:2:3: route: root route must not have any matchers',
    'testdata/root-matchers.bad.yml:3:13: route.group_by: cannot have wildcard group_by (`...`) and other other labels at the same time',
    'testdata/root-matchers.bad.yml:4:15: route.group_wait: not a valid duration string: "soon"',
  ],
  'bad-interval.bad.yml': [
    'testdata/bad-interval.bad.yml:5:28: route.routes[0].mute_time_intervals: undefined time interval "nope" used in route',
    'testdata/bad-interval.bad.yml:9:17: time_intervals[0].time_intervals[0].times[0]: invalid time range: start_time must be before end_time, as HH:MM',
    'testdata/bad-interval.bad.yml:10:20: time_intervals[0].time_intervals[0].weekdays[0]: invalid range "funday"',
  ],
};

test('every bad file fails with its exact errors', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.bad.yml')).sort();
  assert.deepEqual(files, Object.keys(BAD).sort());
  for (const f of files) {
    assert.throws(
      () => parseAlertmanagerConfig(readFileSync(join(dir, f), 'utf8'), rel(f)),
      (err: unknown) => {
        assert.ok(err instanceof ConfigErrors, f);
        assert.deepEqual(err.errors.map((e) => e.message), BAD[f], f);
        return true;
      },
    );
  }
});

test('the full good file loads with defaults applied', () => {
  const c = parseAlertmanagerConfig(readFileSync(join(dir, 'full.good.yml'), 'utf8'), 'full.good.yml');
  assert.equal(c.global.resolve_timeout, 120_000);
  assert.equal(c.route.routes[0]!.matchers.map(String).join(','), 'severity=~"critical|page",env!="dev"');
  assert.equal(c.route.routes[0]!.group_wait, 30_000);
  assert.deepEqual(c.route.routes[0]!.mute_time_intervals, ['offhours']);
  // Time intervals are not inherited by child routes; timers and group_by are.
  assert.deepEqual(c.route.routes[1]!.routes[0]!.active_time_intervals, []);
  assert.equal(c.route.routes[1]!.routes[0]!.group_by_all, true);
  assert.equal(c.route.routes[1]!.routes[0]!.matchers.length, 2);
  assert.equal(c.inhibit_rules[1]!.target_matchers[0]!.type, '=~');
  const chat = c.receivers.find((r) => r.name === 'chat')!;
  assert.equal(chat.integrations.slack_configs![0]!.api_url, 'https://hooks.slack.com/services/T/B/X');
  assert.equal(chat.integrations.slack_configs![0]!.send_resolved, false);
  assert.equal(chat.integrations.telegram_configs![0]!.parse_mode, 'HTML');
  const mail = c.receivers.find((r) => r.name === 'mail')!.integrations.email_configs![0]!;
  assert.equal(mail.smarthost, 'localhost:25');
  assert.equal(mail.send_resolved, true);
  assert.equal(c.receivers[0]!.integrations.webhook_configs![0]!.send_resolved, true);
  assert.deepEqual(c.time_intervals.find((t) => t.name === 'offhours')!.time_intervals[0]!.days_of_month, [[-3, -1], [1, 1]]);
});

test('the seed config loads unchanged', () => {
  const c = parseAlertmanagerConfig(readFileSync(new URL('../../../../../../shared/fixtures/seed-configs/000-alertmanager.yml', import.meta.url), 'utf8'), 'seed');
  assert.equal(c.route.receiver, 'slack-notifications');
  assert.equal(c.receivers.length, 3);
});

test('errors never echo secret values', () => {
  const text = 'route: { receiver: a }\nreceivers:\n  - name: a\n    slack_configs:\n      - api_url: "ftp://user:s3cret@hooks/x"\n';
  assert.throws(() => parseAlertmanagerConfig(text, 'x.yml'), (err: Error) => !err.message.includes('s3cret') && /api_url: unsupported scheme/.test(err.message));
});
