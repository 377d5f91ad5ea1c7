// Times Vigil's storage open (WAL replay) in-process on a copy of a storage
// directory, e.g. one saved by `bench/tsdb-restart.bench.ts --save-crash-dir DIR`
// as kill -9 left it. The directory itself is not touched: its files are
// hard-linked into a temporary directory (replay only reads them unless it
// finds damage, which it reports), and the head snapshot is not written at close.
//
//   npx tsx bench/tsdb-replay-profile.ts DIR [--runs 1] [--snapshot]
//
// --snapshot also times a running head snapshot of what was loaded: the
// capture (the pause ingestion would see) and the background write.
//   node --cpu-prof --cpu-prof-dir=PROF --import tsx bench/tsdb-replay-profile.ts DIR
//   npx tsx bench/cpuprofile-summary.ts PROF/*.cpuprofile
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDB } from '../packages/server/src/tsdb/index.ts';
import { captureHeadSnapshot, writeHeadSnapshotInBackground } from '../packages/server/src/tsdb/head-snapshot.ts';

const src = process.argv[2];
if (!src) throw new Error('usage: tsdb-replay-profile.ts DIR [--runs N]');
const i = process.argv.indexOf('--runs');
const runs = i > 0 ? Number(process.argv[i + 1]) : 1;
const withSnapshot = process.argv.includes('--snapshot');

function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) {
    if (f === 'lock') continue;
    const a = join(from, f);
    const b = join(to, f);
    if (statSync(a).isDirectory()) linkTree(a, b);
    else {
      try {
        linkSync(a, b);
      } catch {
        copyFileSync(a, b);
      }
    }
  }
}

for (let r = 0; r < runs; r++) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-'));
  try {
    linkTree(src, dir);
    const t0 = performance.now();
    const db = await openDB({ dir, headSnapshotOnShutdown: false, maintenanceIntervalMs: 3_600_000 });
    const ms = performance.now() - t0;
    const st = db.replayStats!;
    const mem = process.memoryUsage();
    console.log(
      `open ${ms.toFixed(0)} ms (replay ${db.replayDurationMs.toFixed(0)} ms): ${db.headSeriesCount().toLocaleString()} series, ${db.head.samples.toLocaleString()} samples, ${st.segments} files, ${st.records.toLocaleString()} records, ${st.corruptions.length} corruptions; heap ${(mem.heapUsed / 1048576).toFixed(0)} MiB, rss ${(mem.rss / 1048576).toFixed(0)} MiB`,
    );
    if (withSnapshot) {
      const t1 = performance.now();
      const cap = captureHeadSnapshot(db.head, db.catalog, { pos: { segment: 0, offset: 0 }, maxT: 0, headMinT: 0 });
      const t2 = performance.now();
      // The longest the event loop waited during the background part (label tables built in slices, pages written).
      let last = performance.now();
      let stall = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        stall = Math.max(stall, now - last);
        last = now;
      }, 1);
      // Current until just before the rename (asked after the tables are built and again before the rename): written, then dropped.
      let asked = 0;
      const bytes = await writeHeadSnapshotInBackground(db.dir, cap, () => asked++ < 1);
      clearInterval(timer);
      const size = statSync(join(db.dir, 'head.snapshot.bg.tmp'), { throwIfNoEntry: false })?.size;
      console.log(
        `running snapshot: capture ${(t2 - t1).toFixed(0)} ms, background part ${(performance.now() - t2).toFixed(0)} ms (longest event-loop wait ${stall.toFixed(0)} ms), ${bytes === undefined ? 'dropped' : `${(bytes / 1048576).toFixed(1)} MiB kept`}${size === undefined ? '' : ` (${size} bytes left behind)`}`,
      );
    }
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
