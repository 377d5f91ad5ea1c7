// In-process PromQL timing on the promql-compare data, for profiling the
// engine and storage reads without the peers: run under `node --cpu-prof`.
//
//   npx tsx bench/promql-profile.ts [--scale N] [--repeats N] [--only K]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../packages/server/src/promql/index.ts';
import { openDB } from '../packages/server/src/tsdb/index.ts';
import { generate, loadInto } from '../test/e2e/promql-data.ts';
import { QUERIES } from './promql-queries.ts';
import { numArg } from './args.ts';

const scale = numArg('--scale', 300);
const repeats = numArg('--repeats', 3);
const only = numArg('--only', -1);
const dir = mkdtempSync(join(tmpdir(), 'vigil-promql-prof-'));
const start = Date.UTC(2025, 0, 1);
const duration = 3600_000;
const data = generate({ start, duration, scale, seed: 11 });
const db = await openDB({ dir: join(dir, 'vigil') });
try {
  await loadInto(db, data);
  console.log(`${data.length} series loaded`);
  data.length = 0;
  const engine = createEngine();
  const s = start + 5 * 60_000 + 777;
  const e = start + duration - 1223;
  let total = 0;
  for (const [i, q] of QUERIES.entries()) {
    if (only >= 0 && i !== only) continue;
    const ts: number[] = [];
    for (let k = 0; k < repeats; k++) {
      const t0 = performance.now();
      await engine.rangeQuery(db, q, s, e, 15_000);
      ts.push(performance.now() - t0);
    }
    ts.sort((a, b) => a - b);
    const med = ts[Math.floor(ts.length / 2)]!;
    total += Math.log(med);
    console.log(`${med.toFixed(1).padStart(8)} ms  ${q}`);
  }
  if (only < 0) console.log(`geometric mean ${Math.exp(total / QUERIES.length).toFixed(1)} ms`);
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
