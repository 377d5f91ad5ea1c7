import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runRulesConformance, type ConformanceResult } from './conformance.ts';

let results: ConformanceResult[];
before(async () => {
  results = await runRulesConformance();
});

// Native histograms are not stored yet, so unittest.yml (which loads some) cannot pass.
const KNOWN_FAILING = new Set(['unittest.yml']);

test('rules conformance: every shared fixture gets the upstream outcome', async () => {
  assert.equal(results.length, 19);
  for (const r of results) {
    const name = [r.case.file, ...r.case.args].join(' ');
    if (KNOWN_FAILING.has(name)) continue;
    assert.ok(r.matched, `${name}: expected ${r.case.pass ? 'pass' : 'fail'}\n${r.output.join('\n')}`);
  }
});

test('rules conformance: failures are for the expected reasons', async () => {
  const out = (f: string) => results.find((r) => r.case.file === f && r.case.args.length === 0)!.output.join('\n');
  assert.match(out('bad-rules-syntax-test.yml'), /could not parse expression/);
  assert.match(out('bad-rules-error-test.yml'), /err: /);
  assert.match(out('bad-promql.yml'), /many-to-many|multiple matches/i);
  assert.match(out('rules_run_no_fuzzy.yml'), /exp: .*3E\+00\n\s+got: .*2\.9999999999999996E\+00/);
  assert.match(out('failing.yml'), /alertname: Test/);
});
