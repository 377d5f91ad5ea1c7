// Runs the shared PromQL conformance scripts and prints per-file results.
// Usage: tsx packages/server/src/promql/promqltest/cli.ts [-v] [--no-at] [file-substring…]
//   -v        list every failing core case with its reason
//   -vv       also list failing native-histogram/experimental cases
//   --no-at   skip the @-modifier variants (faster)
//   --write-baseline  rewrite baseline.json with the current per-file passes (core, native-histogram, experimental)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runSuite, summarize } from './suite.ts';

const args = process.argv.slice(2);
const verbose = args.includes('-vv') ? 2 : args.includes('-v') ? 1 : 0;
const atVariants = !args.includes('--no-at');
const writeBaseline = args.includes('--write-baseline');
const names = args.filter((a) => !a.startsWith('-'));

const t0 = performance.now();
const results = await runSuite(undefined, names.length ? (f) => names.some((n) => f.includes(n)) : undefined, { atVariants });
let passed = 0;
let failed = 0;
let skipped = 0;
const nh = { passed: 0, total: 0 };
const exp = { passed: 0, total: 0 };
const baseline: Record<string, { core: number; nativeHistogram: number; experimental: number }> = {};
for (const r of results) {
  const s = summarize(r);
  baseline[r.file] = { core: s.core.passed, nativeHistogram: s.nativeHistogram.passed, experimental: s.experimental.passed };
  if (r.error) {
    console.log(`${r.file}: SCRIPT ERROR ${r.error}`);
    failed++;
    continue;
  }
  passed += s.core.passed + s.nativeHistogram.passed + s.experimental.passed;
  failed += s.core.failed;
  skipped += s.nativeHistogram.total - s.nativeHistogram.passed + (s.experimental.total - s.experimental.passed);
  nh.passed += s.nativeHistogram.passed;
  nh.total += s.nativeHistogram.total;
  exp.passed += s.experimental.passed;
  exp.total += s.experimental.total;
  console.log(
    `${r.file.padEnd(28)} core ${s.core.passed}/${s.core.passed + s.core.failed}` +
      `  native-histogram ${s.nativeHistogram.passed}/${s.nativeHistogram.total}  experimental ${s.experimental.passed}/${s.experimental.total}`,
  );
  for (const c of r.cases) {
    if (c.ok || (c.group !== 'core' && verbose < 2)) continue;
    if (verbose) console.log(`  ✗ ${r.file}:${c.line} [${c.group}] ${c.query}\n      ${c.problem}`);
  }
}
const coreTotal = passed - nh.passed - exp.passed + failed;
console.log(`core (no native histograms, no experimental syntax): ${passed - nh.passed - exp.passed}/${coreTotal} passed`);
console.log(`native-histogram cases: ${nh.passed}/${nh.total} passed; ${nh.total - nh.passed} run but do not pass yet (counted as skipped below)`);
console.log(`experimental cases (experimental syntax, or data with start timestamps): ${exp.passed}/${exp.total} passed; ${exp.total - exp.passed} run but do not pass yet (counted as skipped below)`);
console.log(`time: ${((performance.now() - t0) / 1000).toFixed(1)}s`);
if (writeBaseline) {
  const path = fileURLToPath(new URL('./baseline.json', import.meta.url));
  writeFileSync(path, JSON.stringify(baseline, null, 2) + '\n');
}
console.log(`promqltest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
