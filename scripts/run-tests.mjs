#!/usr/bin/env node
// Runs every *.test.ts under packages/*/src, packages/*/test and test/e2e with
// Node's built-in test runner (TypeScript through tsx). Arguments narrow the
// set: `npm test -- packages/server/src/scrape` runs only files under that path.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = ['packages', 'test'];
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p);
    else if (/\.test\.(ts|mts|tsx)$/.test(name)) files.push(relative(root, p));
  }
}
for (const r of roots) walk(join(root, r));
const filters = process.argv.slice(2);
const selected = filters.length ? files.filter((f) => filters.some((x) => f.startsWith(x.replace(/^\.\//, '')))) : files;
selected.sort();
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// One file at a time by default: the end-to-end files drive real servers on
// timers, and two of them at once on a 2-core machine can starve each other.
const concurrency = process.env.TEST_CONCURRENCY ?? '1';
const r = spawnSync(
  process.execPath,
  // --test-force-exit: a file whose tests have ended must not hang the run on a
  // leaked handle; --test-timeout bounds any single test (five minutes).
  ['--import', 'tsx', '--test', '--test-force-exit', '--test-timeout=300000', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...selected],
  { stdio: 'inherit', cwd: root },
);
process.exit(r.status ?? 1);
