import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRuleTestsCli } from './cli.ts';
import { CONFORMANCE_CASES, type ConformanceCase } from './conformance-cases.ts';

/** The shared fixtures, relative to the repository root. */
export const RULES_TESTDATA_DIR = join(fileURLToPath(new URL('../../../../../', import.meta.url)), '../shared/conformance/rules/testdata');

/** Result of one conformance case: whether Vigil's outcome matched upstream's. */
export interface ConformanceResult {
  case: ConformanceCase;
  passed: boolean;
  matched: boolean;
  output: string[];
}

/** Runs every case of {@link CONFORMANCE_CASES} through `vigil test rules`. */
export async function runRulesConformance(dir = RULES_TESTDATA_DIR): Promise<ConformanceResult[]> {
  const out: ConformanceResult[] = [];
  for (const c of CONFORMANCE_CASES) {
    const lines: string[] = [];
    const code = await runRuleTestsCli([...c.args, join(dir, c.file)], (l) => lines.push(l));
    out.push({ case: c, passed: code === 0, matched: (code === 0) === c.pass, output: lines });
  }
  return out;
}

async function main(): Promise<void> {
  const results = await runRulesConformance();
  let ok = 0;
  for (const r of results) {
    const name = [r.case.file, ...r.case.args].join(' ');
    if (r.matched) ok++;
    console.log(`${r.matched ? 'ok  ' : 'FAIL'} ${name}: expected ${r.case.pass ? 'pass' : 'fail'}, got ${r.passed ? 'pass' : 'fail'}`);
    if (!r.matched) for (const l of r.output.slice(0, 12)) console.log(`       ${l}`);
  }
  console.log(`rules-conformance: ${ok} passed, ${results.length - ok} failed`);
  process.exitCode = ok === results.length ? 0 : 1;
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') await main();
