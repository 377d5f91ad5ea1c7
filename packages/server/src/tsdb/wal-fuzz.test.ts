import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsFromObject, Matcher } from '@vigil/core';
import { Registry } from 'prom-client';
import { openDB } from './index.ts';
import { rng } from '../testutil/rng.ts';

// A damaged WAL must never stop the storage from opening: replay keeps every
// commit recorded before the first damaged byte, reports what it cut (segment
// and offset), and never produces a sample that was not written.

const HEADER = 9;

test('fuzzed WAL segments: open never fails, commits before the damage are all kept, nothing is invented', async (t) => {
  const template = mkdtempSync(join(tmpdir(), 'vigil-walfuzz-'));
  const work = mkdtempSync(join(tmpdir(), 'vigil-walfuzz-case-'));
  try {
    const db = await openDB({ dir: template, registry: new Registry(), headSnapshotOnShutdown: false });
    const COMMITS = 40;
    const SERIES = 8;
    const truth = new Map<string, number>();
    for (let k = 1; k <= COMMITS; k++) {
      const a = db.appender();
      for (let i = 0; i < SERIES; i++) {
        const v = k * 100 + i + 0.5;
        a.append(0, labelsFromObject({ __name__: 'w', i: String(i) }), k * 1000, v);
        truth.set(`${i}@${k * 1000}`, v);
      }
      await a.commit();
    }
    await db.close();
    const walDir = join(template, 'wal');
    const seg = readdirSync(walDir).find((f) => /^\d{8}$/.test(f))!;
    const orig = readFileSync(join(walDir, seg));
    // Record boundaries: the k-th samples record ends at ends[k].
    const ends: number[] = [];
    for (let off = 0; off < orig.length; ) {
      const len = orig.readUInt32LE(off + 1);
      const type = orig[off]!;
      off += HEADER + len;
      if (type !== 1) ends.push(off);
    }
    assert.equal(ends.length, COMMITS);
    let reported = 0;
    const mutations = ['flip', 'truncate', 'zero', 'garbage'] as const;
    for (let seed = 1; seed <= 80; seed++) {
      const r = rng(seed);
      const dir = join(work, String(seed));
      cpSync(template, dir, { recursive: true });
      const file = join(dir, 'wal', seg);
      const m = mutations[Math.floor(r() * mutations.length)]!;
      const at = Math.floor(r() * orig.length);
      const buf = Buffer.from(orig);
      let damagedFrom = at;
      if (m === 'flip') {
        buf[at] = buf[at]! ^ (1 + Math.floor(r() * 255));
        writeFileSync(file, buf);
      } else if (m === 'truncate') truncateSync(file, at);
      else if (m === 'zero') {
        buf.fill(0, at, Math.min(buf.length, at + 1 + Math.floor(r() * 40)));
        writeFileSync(file, buf);
        // Zeroing bytes that were zero already changes nothing.
        let first = 0;
        while (first < buf.length && buf[first] === orig[first]) first++;
        damagedFrom = first;
      } else {
        damagedFrom = orig.length;
        writeFileSync(file, Buffer.concat([buf, Buffer.from([2, 0xff, 0xff, 0, 0, 1, 2, 3, 4, 5, 6])]));
      }
      const label = `seed ${seed}: ${m} at ${at} of ${orig.length}`;
      const db2 = await openDB({ dir, registry: new Registry(), headSnapshotOnShutdown: false }).catch((e: Error) => assert.fail(`${label}: open threw ${e.stack}`));
      const q = await db2.querier(-Infinity, Infinity);
      const set = await q.select(true, undefined, new Matcher('=', '__name__', 'w'));
      const got = new Map<string, number>();
      for (const s of set.series) {
        const it = s.iterator();
        const i = s.labels.find((l) => l.name === 'i')!.value;
        while (it.next()) got.set(`${i}@${it.t}`, it.v);
      }
      for (const [k, v] of got) assert.equal(v, truth.get(k), `${label}: ${k} = ${v} was never written`);
      // Every commit whose record ends before the damage is kept whole.
      const kept = ends.filter((e) => e <= damagedFrom).length;
      for (let k = 1; k <= kept; k++) for (let i = 0; i < 8; i++) assert.ok(got.has(`${i}@${k * 1000}`), `${label}: commit ${k} (ends at ${ends[k - 1]}) lost`);
      const c = db2.replayStats!.corruptions;
      if (c.length) {
        reported++;
        assert.equal(c[0]!.segment, seg);
        assert.ok(c[0]!.offset <= Math.max(damagedFrom, 0) + HEADER + 1024, `${label}: reported at ${c[0]!.offset}`);
      } else if (m !== 'truncate' && damagedFrom < orig.length) {
        assert.fail(`${label}: damage not reported`);
      }
      await db2.close();
      rmSync(dir, { recursive: true, force: true });
    }
    t.diagnostic(`80 damaged WALs: ${reported} corruptions reported (a cut exactly at a record boundary is indistinguishable from a shorter log)`);
  } finally {
    rmSync(template, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
