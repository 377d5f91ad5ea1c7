import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ConfigErrors } from '@vigil/core';
import { loadRuleFile, parseRuleFile } from './index.ts';
import { ruleParseOptions } from '../../rules/index.ts';

const dir = join(import.meta.dirname, 'testdata');
const seeds = join(import.meta.dirname, '../../../../../../shared/fixtures/seed-configs');
// The checks the rule loader plugs in: PromQL syntax and Go template syntax.
const opts = ruleParseOptions();

// Each bad file with its exact message after the file name.
const BAD: Record<string, string> = {
  'bad_annotation.bad.yaml': `:7:11: group "yolo", rule 1, "yolo": invalid field 'annotations' in recording rule`,
  'bad_duration.bad.yaml': `:3:15: group "yolo": not a valid duration string: "5 minutes"`,
  'bad_expr.bad.yaml': `:5:15: group "yolo", rule 1, "yolo": could not parse expression: 1:6: parse error: unexpected end of input`,
  'bad_label_name.bad.yaml': `:7:11: group "yolo", rule 1, "Yolo": invalid label name: bad-name`,
  'bad_template.bad.yaml': `:7:20: group "yolo", rule 1, "Yolo": annotation "summary": template: __alert_Yolo:1: unclosed action`,
  'bad_record_name.bad.yaml': `:4:17: group "yolo", rule 1, "strawberry{flavor=\\"sweet\\"}": invalid recording rule name: strawberry{flavor="sweet"}`,
  'duplicate_grp.bad.yaml': `:4:11: groupname: "yolo" is repeated in the same file`,
  'no_rec_alert.bad.yaml': `:4:9: group "yolo", rule 1, "": one of 'record' or 'alert' must be set`,
  'noexpr.bad.yaml': `:4:9: group "yolo", rule 1, "yolo": field 'expr' must be set in rule`,
  'noname.bad.yaml': `:2:5: Groupname must not be empty`,
  'record_and_alert.bad.yaml': `:4:17: group "yolo", rule 1, "yolo": only one of 'record' and 'alert' must be set`,
  'unknown_field.bad.yaml': `:6:9: group "yolo", rule 1, "Yolo": field severity not found in type rulefmt.RuleNode`,
};

for (const [name, msg] of Object.entries(BAD)) {
  test(`rulefmt: ${name} fails with its file:line:col message`, async () => {
    const f = join(dir, name);
    await assert.rejects(loadRuleFile(f, opts), (err: unknown) => {
      assert.ok(err instanceof ConfigErrors);
      assert.equal(err.errors[0]!.message, f + msg);
      return true;
    });
  });
}

test('rulefmt: the seed rule files load', async () => {
  const counts: Record<string, number> = { '000-rules-platform-api.yml': 5, '002-alert_rules.yml': 4, '004-alerts.yml': 6 };
  for (const [f, n] of Object.entries(counts)) {
    const rf = await loadRuleFile(join(seeds, f), opts);
    assert.equal(rf.groups.reduce((s, g) => s + g.rules.length, 0), n, f);
  }
});

test('rulefmt: fields and defaults', () => {
  const rf = parseRuleFile('x.yml', `groups:
  - name: g
    interval: 30s
    query_offset: 1m
    limit: 10
    labels: {team: a}
    rules:
      - alert: A
        expr: up == 0
        for: 5m
        keep_firing_for: 1m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.job }} down"}
      - record: job:up:sum
        expr: sum by (job) (up)
`, opts);
  const g = rf.groups[0]!;
  assert.equal(g.interval, 30_000);
  assert.equal(g.query_offset, 60_000);
  assert.equal(g.limit, 10);
  assert.deepEqual(g.labels, [{ name: 'team', value: 'a' }]);
  assert.equal(g.rules[0]!.for, 300_000);
  assert.equal(g.rules[0]!.keep_firing_for, 60_000);
  assert.equal(g.rules[0]!.pos.line, 8);
  assert.equal(g.rules[1]!.record, 'job:up:sum');
  assert.equal(g.rules[1]!.for, 0);
  assert.equal(parseRuleFile('e.yml', '').groups.length, 0);
});

test('rulefmt: ignoreUnknownFields accepts extra keys', () => {
  const text = 'groups:\n  - name: g\n    namespace: x\n    rules:\n      - record: a\n        expr: up\n';
  assert.throws(() => parseRuleFile('x.yml', text, opts), /field namespace not found in type rulefmt.RuleGroup/);
  assert.equal(parseRuleFile('x.yml', text, { ...opts, ignoreUnknownFields: true }).groups[0]!.rules.length, 1);
});
