import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { labelsFromObject, Matcher } from '@vigil/core';
import { Registry } from 'prom-client';
import { openDB } from './index.ts';
import type { DB } from './db.ts';
import { rng } from '../testutil/rng.ts';
import { DAMAGE_KINDS, damageFile, pick, type Damage } from './fuzz-damage.ts';

// A damaged WAL must never stop the storage from opening. Replay keeps every
// commit recorded before the first damaged byte, reports each damage it finds
// (file and offset, and vigil_tsdb_wal_corruptions_total), serves what it can
// still read after damage to a checkpoint or a missing segment, never produces
// a sample that was not written, and leaves a log that opens cleanly and takes
// new commits.
//
// The log under test: a checkpoint and four segments, written by four
// sessions (open, 12 commits, close), the first checkpointed after 8 commits.
// Each session adds a series, so every file holds series records that later
// files' samples refer to.

const HEADER = 9;
const SESSIONS = 4;
const PER_SESSION = 12;
const CHECKPOINT_AFTER = 8;
const BASE_SERIES = 6;
const CASES = 200;
const OPTS = { headSnapshotOnShutdown: false, maintenanceIntervalMs: 3_600_000 } as const;

/** A record of the pristine log: where it is and what it carries. */
interface Rec {
  start: number;
  end: number;
  type: number;
  /** Series keys a series record introduces. */
  defines: string[];
  /** Sample keys (`series@t`) of a samples record. */
  samples: string[];
}

interface LogFile {
  name: string;
  checkpoint: boolean;
  size: number;
  recs: Rec[];
}

const seriesKey = (labels: ReadonlyArray<{ name: string; value: string }>) => labels.find((l) => l.name === 's')!.value;

async function dump(db: DB): Promise<Map<string, number>> {
  const q = await db.querier(-Infinity, Infinity);
  const set = await q.select(true, undefined, new Matcher('=', '__name__', 'w'));
  const got = new Map<string, number>();
  for (const s of set.series) {
    const it = s.iterator();
    while (it.next()) got.set(`${seriesKey(s.labels)}@${it.t}`, it.v);
  }
  return got;
}

function corruptionCounter(reg: Registry): Promise<number> {
  return reg
    .getSingleMetric('vigil_tsdb_wal_corruptions_total')!
    .get()
    .then((m) => m.values.reduce((a, v) => a + v.value, 0));
}

/** Writes the template log; returns every sample written and the log's files with their records. */
async function writeTemplate(dir: string): Promise<{ truth: Map<string, number>; files: LogFile[] }> {
  const truth = new Map<string, number>();
  // What each commit carried, in order: new series keys and sample keys.
  const commits: Array<{ defines: string[]; samples: string[] }> = [];
  let k = 0;
  for (let session = 1; session <= SESSIONS; session++) {
    const db = await openDB({ dir, registry: new Registry(), ...OPTS });
    for (let c = 0; c < PER_SESSION; c++) {
      k++;
      const keys = [...Array.from({ length: BASE_SERIES }, (_, i) => `b${i}`), ...Array.from({ length: session }, (_, i) => `s${i + 1}`)];
      const known = new Set(commits.flatMap((x) => x.defines));
      const a = db.appender();
      const samples: string[] = [];
      keys.forEach((s, i) => {
        const v = k * 1000 + i + 0.25;
        a.append(0, labelsFromObject({ __name__: 'w', s }), k * 1000, v);
        truth.set(`${s}@${k * 1000}`, v);
        samples.push(`${s}@${k * 1000}`);
      });
      await a.commit();
      commits.push({ defines: keys.filter((s) => !known.has(s)), samples });
      if (session === 1 && c + 1 === CHECKPOINT_AFTER) db.checkpoint();
    }
    await db.close();
  }
  // Map the records of the files onto the commits. The checkpoint holds one
  // series record (the head's series) and one samples record (the head's
  // samples); a segment holds, per commit, a series record when the commit
  // introduced series, then its samples record.
  const walDir = join(dir, 'wal');
  const names = readdirSync(walDir).sort((a, b) => Number(a.startsWith('checkpoint.') ? -1 : a) - Number(b.startsWith('checkpoint.') ? -1 : b));
  assert.deepEqual(names, ['checkpoint.00000001', '00000002', '00000003', '00000004', '00000005']);
  const files: LogFile[] = [];
  let next = 0;
  for (const name of names) {
    const buf = readFileSync(join(walDir, name));
    const heads: Array<{ start: number; end: number; type: number }> = [];
    for (let off = 0; off < buf.length; ) {
      const end = off + HEADER + buf.readUInt32LE(off + 1);
      heads.push({ start: off, end, type: buf[off]! });
      off = end;
    }
    const recs: Rec[] = [];
    if (name.startsWith('checkpoint.')) {
      const held = commits.slice(0, CHECKPOINT_AFTER);
      next = CHECKPOINT_AFTER;
      assert.deepEqual(heads.map((h) => h.type), [1, 3], `${name}: records`);
      recs.push({ ...heads[0]!, defines: held.flatMap((c) => c.defines), samples: [] });
      recs.push({ ...heads[1]!, defines: [], samples: held.flatMap((c) => c.samples) });
    } else {
      for (let i = 0; i < heads.length; i++) {
        const c = commits[next++]!;
        if (c.defines.length) {
          assert.equal(heads[i]!.type, 1, `${name}: series record of commit ${next}`);
          recs.push({ ...heads[i++]!, defines: c.defines, samples: [] });
        }
        assert.equal(heads[i]!.type, 3, `${name}: samples record of commit ${next}`);
        recs.push({ ...heads[i]!, defines: [], samples: c.samples });
      }
    }
    files.push({ name, checkpoint: name.startsWith('checkpoint.'), size: buf.length, recs });
  }
  assert.equal(next, commits.length);
  return { truth, files };
}

/**
 * What replay must make of the damaged log: the samples it serves and the
 * corruptions it reports. A damaged record and everything after it in its
 * file is lost; damage to a segment also ends the log (later segments are
 * dropped), damage to the checkpoint does not; a missing segment loses its
 * own records. A sample is served when its record and the record that
 * introduced its series both survive.
 */
function expectation(files: LogFile[], damages: Damage[]): { served: Set<string>; corruptions: Array<{ segment: string; offset: number }> } {
  const served = new Set<string>();
  const corruptions: Array<{ segment: string; offset: number }> = [];
  const named = new Set<string>();
  let pendingGap: string | undefined;
  for (const f of files) {
    const d = damages.find((x) => basename(x.file) === f.name);
    if (d?.kind === 'delete') {
      pendingGap ??= f.name;
      continue;
    }
    if (pendingGap !== undefined) {
      corruptions.push({ segment: pendingGap, offset: 0 });
      pendingGap = undefined;
    }
    // The first byte that no longer reads as written, and whether replay can
    // tell: a cut at a record boundary looks like a shorter file.
    const cut = d ? d.firstChanged : f.size;
    let detected = false;
    if (d?.kind === 'truncate') detected = !f.recs.some((r) => r.start === cut);
    else if (d?.kind === 'garbage') detected = true;
    else if (d) detected = cut < f.size;
    for (const r of f.recs) {
      if (r.end > cut) break;
      for (const s of r.defines) named.add(s);
      for (const key of r.samples) if (named.has(key.split('@')[0]!)) served.add(key);
    }
    if (detected) {
      const rec = f.recs.find((r) => r.start <= cut && cut < r.end);
      corruptions.push({ segment: f.name, offset: rec ? rec.start : cut });
      if (!f.checkpoint) break;
    }
  }
  return { served, corruptions };
}

/** The label sets the template (and the commit after a repair) wrote. */
const WRITTEN = new Set([...Array.from({ length: BASE_SERIES }, (_, i) => `b${i}`), ...Array.from({ length: SESSIONS }, (_, i) => `s${i + 1}`), 'after']);

/**
 * Opens the damaged copy in `dir` and checks it against the expectation:
 * open does not throw; exactly the expected samples are served, each as
 * written; no series that was never written exists; the expected
 * corruptions are reported and counted; a second open finds the log clean,
 * with the same samples and a commit made after the repair. Returns the
 * number of corruptions reported.
 */
async function checkCase(dir: string, truth: Map<string, number>, files: LogFile[], damages: Damage[], label: string): Promise<number> {
  const want = expectation(files, damages);
  const reg = new Registry();
  let db: DB;
  try {
    db = await openDB({ dir, registry: reg, ...OPTS });
  } catch (e) {
    assert.fail(`${label}: open threw ${(e as Error).stack}`);
  }
  const got = await dump(db);
  for (const [k, v] of got) assert.equal(v, truth.get(k), `${label}: ${k} = ${v} was never written`);
  const missing = [...want.served].filter((k) => !got.has(k));
  assert.deepEqual(missing, [], `${label}: ${missing.length} samples lost that replay should keep`);
  const extra = [...got.keys()].filter((k) => !want.served.has(k));
  assert.deepEqual(extra, [], `${label}: served samples from records that are damaged or cut off`);
  for (const s of db.catalog.values()) {
    const ok = s.labels.length === 2 && s.labels[0]!.name === '__name__' && s.labels[0]!.value === 'w' && s.labels[1]!.name === 's' && WRITTEN.has(s.labels[1]!.value);
    assert.ok(ok, `${label}: series ${JSON.stringify(s.labels)} (id ${s.id}) was never written`);
  }
  const corruptions = db.replayStats!.corruptions;
  assert.deepEqual(
    corruptions.map((c) => ({ segment: c.segment, offset: c.offset })),
    want.corruptions,
    `${label}: reported ${JSON.stringify(corruptions)}`,
  );
  assert.equal(await corruptionCounter(reg), corruptions.length, `${label}: vigil_tsdb_wal_corruptions_total`);

  // The repaired log opens cleanly, serves the same samples and takes new commits.
  const a = db.appender();
  a.append(0, labelsFromObject({ __name__: 'w', s: 'b0' }), 1_000_000, 1);
  a.append(0, labelsFromObject({ __name__: 'w', s: 'after' }), 1_000_000, 2);
  await a.commit();
  await db.close();
  const reg2 = new Registry();
  const db2 = await openDB({ dir, registry: reg2, ...OPTS });
  assert.deepEqual(db2.replayStats!.corruptions, [], `${label}: the second open still finds damage`);
  assert.equal(await corruptionCounter(reg2), 0);
  const again = await dump(db2);
  assert.deepEqual(
    [...again].filter(([k]) => !k.endsWith('@1000000')).sort(),
    [...got].sort(),
    `${label}: the second open serves different samples`,
  );
  assert.equal(again.get('b0@1000000'), 1, `${label}: commit after the repair`);
  assert.equal(again.get('after@1000000'), 2, `${label}: commit after the repair`);
  await db2.close();
  return corruptions.length;
}

test(`fuzzed WAL (${CASES} seeded damages): open never fails, reports each damage, keeps what precedes it, serves the rest, invents nothing`, async (t) => {
  const template = mkdtempSync(join(tmpdir(), 'vigil-walfuzz-'));
  const work = mkdtempSync(join(tmpdir(), 'vigil-walfuzz-case-'));
  try {
    const { truth, files } = await writeTemplate(template);
    const middle = files.filter((f) => !f.checkpoint).slice(0, -1);
    const tally = new Map<string, number>();
    let reported = 0;
    for (let seed = 1; seed <= CASES; seed++) {
      const r = rng(seed);
      const dir = join(work, String(seed));
      cpSync(template, dir, { recursive: true });
      // One damage, or (one case in four) two in different files.
      const damages: Damage[] = [];
      for (let n = r() < 0.25 ? 2 : 1; n > 0; n--) {
        const kind = pick(r, DAMAGE_KINDS);
        // A file is deleted only in the middle of the log: a missing last segment is
        // a shorter log, and a missing checkpoint a log that starts later.
        const f = pick(r, kind === 'delete' ? middle : files);
        if (damages.some((d) => basename(d.file) === f.name)) continue;
        damages.push(damageFile(join(dir, 'wal', f.name), kind, r));
        tally.set(kind, (tally.get(kind) ?? 0) + 1);
      }
      const label = `seed ${seed}: ${damages.map((d) => `${basename(d.file)} ${d.label}`).join(', ')}`;
      if ((await checkCase(dir, truth, files, damages, label)) > 0) reported++;
      rmSync(dir, { recursive: true, force: true });
    }
    t.diagnostic(
      `${CASES} damaged WALs (${[...tally].map(([k, n]) => `${n} ${k}`).join(', ')}): ${reported} opened with corruptions reported, the rest were cuts at a record boundary or left every byte as written`,
    );
  } finally {
    rmSync(template, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});

// The record type byte is not covered by the checksum: a flipped bit can turn a
// samples record into a series record (3 -> 1) or the other way round. Such a
// record fails to decode and must add nothing, not even a series.
test('a flipped bit in any record type byte is reported and adds no series or samples', async (t) => {
  const template = mkdtempSync(join(tmpdir(), 'vigil-walfuzz-'));
  const work = mkdtempSync(join(tmpdir(), 'vigil-walfuzz-case-'));
  try {
    const { truth, files } = await writeTemplate(template);
    let cases = 0;
    for (const f of files) {
      for (const rec of f.recs) {
        for (const bit of [0, 1, 2]) {
          const dir = join(work, `${f.name}-${rec.start}-${bit}`);
          cpSync(template, dir, { recursive: true });
          const file = join(dir, 'wal', f.name);
          const buf = readFileSync(file);
          buf[rec.start] = buf[rec.start]! ^ (1 << bit);
          writeFileSync(file, buf);
          const label = `${f.name}: type byte of the record at ${rec.start} (${rec.type}) with bit ${bit} flipped`;
          const damage: Damage = { kind: 'flip', file, size: f.size, at: rec.start, firstChanged: rec.start, label };
          assert.ok((await checkCase(dir, truth, files, [damage], label)) > 0, `${label}: not reported`);
          rmSync(dir, { recursive: true, force: true });
          cases++;
        }
      }
    }
    t.diagnostic(`${cases} records with a damaged type byte, each reported, none adding a series or sample`);
  } finally {
    rmSync(template, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
