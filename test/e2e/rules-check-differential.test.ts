import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkRuleFiles } from '../../packages/server/src/rules/index.ts';
import { repoRoot } from './helpers/paths.ts';

const PROMTOOL = '/usr/bin/promtool';

// The seed rule files and every rulefmt testdata file: `vigil check rules`
// and Debian's `promtool check rules` agree on valid/invalid.
test('check rules: same verdicts as promtool check rules', { skip: !existsSync(PROMTOOL) && 'promtool not installed' }, async () => {
  const bad = join(repoRoot, 'packages/server/src/model/rulefmt/testdata');
  const seeds = join(repoRoot, '../shared/fixtures/seed-configs');
  const files = [
    ...['000-rules-platform-api.yml', '002-alert_rules.yml', '004-alerts.yml'].map((f) => join(seeds, f)),
    ...readdirSync(bad).map((f) => join(bad, f)),
    join(repoRoot, 'packages/server/src/rules/unittest/testdata/rules.yml'),
    join(repoRoot, 'packages/server/src/rules/unittest/testdata/templates.yml'),
  ];
  for (const f of files) {
    const p = spawnSync(PROMTOOL, ['check', 'rules', f], { encoding: 'utf8' });
    const lines: string[] = [];
    const code = await checkRuleFiles([f], (l) => lines.push(l));
    assert.equal(code, p.status, `${f}\npromtool:\n${p.stdout}${p.stderr}\nvigil:\n${lines.join('\n')}`);
    assert.equal(code !== 0, f.endsWith('.bad.yaml'), f);
  }
});
