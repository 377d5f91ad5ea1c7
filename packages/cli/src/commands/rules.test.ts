import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCheckRules, runTestRules } from './rules.ts';

const root = join(import.meta.dirname, '../../../..');
const seeds = join(root, '../shared/fixtures/seed-configs');
const testdata = join(root, 'packages/server/src/rules/unittest/testdata');

test('vigil check rules: seeds pass with promtool-style output, a broken file exits 1', async () => {
  const lines: string[] = [];
  const files = ['000-rules-platform-api.yml', '002-alert_rules.yml', '004-alerts.yml'].map((f) => join(seeds, f));
  assert.equal(await runCheckRules(files, (l) => lines.push(l)), 0);
  assert.deepEqual(lines.slice(0, 3), [`Checking ${files[0]}`, '  SUCCESS: 5 rules found', '']);
  const bad = join(root, 'packages/server/src/model/rulefmt/testdata/bad_expr.bad.yaml');
  const out: string[] = [];
  assert.equal(await runCheckRules([bad], (l) => out.push(l)), 1);
  assert.deepEqual(out.slice(0, 2), [`Checking ${bad}`, '  FAILED:']);
  assert.match(out[2]!, /bad_expr\.bad\.yaml:5:15: group "yolo", rule 1, "yolo": could not parse expression/);
});

test('vigil test rules: exit codes and --run', async () => {
  const sink = () => undefined;
  assert.equal(await runTestRules([join(testdata, 'pass.test.yml')], sink), 0);
  assert.equal(await runTestRules([join(testdata, 'fail-value.test.yml')], sink), 1);
  assert.equal(await runTestRules([join(testdata, 'pass.test.yml'), join(testdata, 'fail-value.test.yml')], sink), 1);
  assert.equal(await runTestRules(['--run', 'nothing-matches', join(testdata, 'fail-value.test.yml')], sink), 0);
  assert.equal(await runTestRules(['--bogus'], sink), 2);
});
