import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runSuite, summarize } from './suite.ts';
import { parseScript } from './script.ts';
import { expandValues } from './series-line.ts';
import { isStaleNaN } from '../../storage/index.ts';

// Per-file counts of passing cases in each group (core: no native
// histograms, no experimental syntax). A file that drops below a count is a
// regression; raise the numbers with
// `npm run conformance:promql -- --write-baseline`.
type Counts = { core: number; nativeHistogram: number; experimental: number };
const baseline = JSON.parse(readFileSync(new URL('./baseline.json', import.meta.url), 'utf8')) as Record<string, Counts>;

test('conformance scripts: no file regresses below its baseline', async () => {
  const results = await runSuite();
  assert.ok(results.length >= 20, 'expected the shared testdata files to be found');
  const regressions: string[] = [];
  for (const r of results) {
    assert.equal(r.error, undefined, `${r.file}: ${r.error}`);
    const s = summarize(r);
    const want = baseline[r.file] ?? { core: 0, nativeHistogram: 0, experimental: 0 };
    for (const [group, got, min] of [
      ['core', s.core.passed, want.core],
      ['native-histogram', s.nativeHistogram.passed, want.nativeHistogram],
      ['experimental', s.experimental.passed, want.experimental],
    ] as const) {
      if (got >= min) continue;
      const failing = r.cases.filter((c) => c.group === group && !c.ok).map((c) => `  ${r.file}:${c.line} ${c.query}: ${c.problem}`);
      regressions.push(`${r.file} ${group}: ${got} < baseline ${min}\n${failing.join('\n')}`);
    }
  }
  assert.deepEqual(regressions, []);
});

test('value expansion follows the test language', () => {
  const v = (s: string) => expandValues(s).map((x) => (x.kind === 'float' ? x.v : x.kind));
  assert.deepEqual(v('1x3'), [1, 1, 1, 1]);
  assert.deepEqual(v('-2+4x3'), [-2, 2, 6, 10]);
  assert.deepEqual(v('1-2x4'), [1, -1, -3, -5, -7]);
  assert.deepEqual(v('_x2 5 _'), ['empty', 'empty', 5, 'empty']);
  assert.equal(v('0x59').length, 60);
  assert.deepEqual(v('Inf -inf'), [Infinity, -Infinity]);
  const [stale] = expandValues('stale');
  assert.ok(stale!.kind === 'float' && isStaleNaN(stale.v));
});

test('a comment line ends a block and bare numbers end an eval', () => {
  const cmds = parseScript(['load 1m', '  a 1 2', '# c', 'eval instant at 1m a', '  1'].join('\n'));
  assert.equal(cmds.length, 2);
  // After a comment, a series line is read as a command; after a scalar, too.
  assert.throws(() => parseScript(['load 1m', '  a 1', '# c', '  b 1'].join('\n')), /invalid command/);
  assert.throws(() => parseScript(['eval instant at 1m a', '  1', '  {} 3'].join('\n')), /invalid command/);
});
