/**
 * The upstream outcomes of the shared rule unit-test fixtures (FORMAT.md §7),
 * with the promtool flags each case runs under. Vigil always enables `@`
 * and negative offsets, so those files are expected to pass.
 */
export interface ConformanceCase {
  file: string;
  args: string[];
  pass: boolean;
}

export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  { file: 'unittest.yml', args: [], pass: true },
  { file: 'long-period.yml', args: [], pass: true },
  { file: 'no-test-group-interval.yml', args: [], pass: true },
  { file: 'start-time-test.yml', args: [], pass: true },
  { file: 'at-modifier-test.yml', args: [], pass: true },
  { file: 'negative-offset-test.yml', args: [], pass: true },
  { file: 'bad-input-series.yml', args: [], pass: false },
  { file: 'bad-promql.yml', args: [], pass: false },
  { file: 'bad-rules-syntax-test.yml', args: [], pass: false },
  { file: 'bad-rules-error-test.yml', args: [], pass: false },
  { file: 'failing.yml', args: [], pass: false },
  { file: 'rules_run.yml', args: [], pass: false },
  { file: 'rules_run.yml', args: ['--run', 'correct'], pass: true },
  { file: 'rules_run.yml', args: ['--run', 'wrong'], pass: false },
  { file: 'rules_run.yml', args: ['--run', 'correct', '--run', 'wrong'], pass: false },
  { file: 'rules_run_extrafields.yml', args: ['--ignore-unknown-fields'], pass: true },
  { file: 'rules_run_no_fuzzy.yml', args: [], pass: false },
  { file: 'rules_run_fuzzy.yml', args: ['--run', 'correct'], pass: true },
  { file: 'rules_run_fuzzy.yml', args: ['--run', 'wrong'], pass: false },
];
