import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runRuleTestsCli } from '../../packages/server/src/rules/unittest/index.ts';

// Project-written rule unit tests, run through Debian's promtool (2.42) and through Vigil.
const dir = join(import.meta.dirname, '../../packages/server/src/rules/unittest/testdata');
const PROMTOOL = '/usr/bin/promtool';

test('rules unit tests: same pass/fail and the same report as promtool test rules', { skip: !existsSync(PROMTOOL) && 'promtool not installed' }, async () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.test.yml')).sort();
  assert.ok(files.length >= 4);
  for (const f of files) {
    // One stream, in the order promtool writes them (it reports failures on stderr).
    const p = spawnSync('sh', ['-c', `${PROMTOOL} test rules "$0" 2>&1`, f], { cwd: dir, encoding: 'utf8' });
    const lines: string[] = [];
    const code = await runRuleTestsCli([join(dir, f)], (l) => lines.push(l));
    assert.equal(code, p.status, `${f}: promtool exit ${p.status}, vigil exit ${code}\npromtool:\n${p.stdout}${p.stderr}\nvigil:\n${lines.join('\n')}`);
    // Files are named for the outcome they are written to have, so a change on both sides still shows.
    assert.equal(code === 0, f.startsWith('pass'), f);
    // The report itself, byte for byte.
    assert.equal(lines.join('\n').replace(join(dir, f), f) + '\n', p.stdout, f);
  }
});
