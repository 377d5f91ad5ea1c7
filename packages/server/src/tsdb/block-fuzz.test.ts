import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsFromObject, Matcher } from '@vigil/core';
import { Registry } from 'prom-client';
import { openDB } from './index.ts';
import type { DB } from './db.ts';
import { isULID } from './block/ulid.ts';
import { rng } from '../testutil/rng.ts';

// Damaged block files must never stop the storage from opening, never crash a
// query, and never produce a sample that was not written: a block is either
// moved aside, or read with the damaged chunks skipped and reported.

const RANGE = 10_000;
const SERIES = 12;

async function dump(db: DB): Promise<{ samples: Map<string, string>; warnings: readonly string[] }> {
  const q = await db.querier(-Infinity, Infinity);
  const set = await q.select(true, undefined, new Matcher('=~', '__name__', '.+'));
  const samples = new Map<string, string>();
  for (const s of set.series) {
    const it = s.iterator();
    while (it.next()) samples.set(`${s.labels.map((l) => l.value).join(',')}@${it.t}`, String(it.v));
  }
  return { samples, warnings: set.warnings ?? [] };
}

test('fuzzed block files: the storage opens, reports what it dropped, serves the rest, and never invents a sample', async (t) => {
  const template = mkdtempSync(join(tmpdir(), 'vigil-blockfuzz-'));
  const work = mkdtempSync(join(tmpdir(), 'vigil-blockfuzz-case-'));
  try {
    // Two level-2 blocks, [0,30) and [30,60), and a head.
    const db = await openDB({ dir: template, blockRangeMs: RANGE, maintenanceIntervalMs: 3_600_000, registry: new Registry(), headSnapshotOnShutdown: false });
    for (let t = 0; t < 75_000; t += 1000) {
      const a = db.appender();
      for (let i = 0; i < SERIES; i++) a.append(0, labelsFromObject({ __name__: `m${i % 3}`, i: String(i) }), t, i % 2 ? Math.round(Math.cos(t + i) * 1e4) / 1e4 : t + i);
      await a.commit();
    }
    db.maintain();
    const truth = (await dump(db)).samples;
    await db.close();
    const blocks = readdirSync(template).filter(isULID);
    assert.ok(blocks.length >= 2, `blocks: ${blocks.join()}`);
    const mutations = ['flip', 'truncate', 'append', 'zero', 'delete'] as const;
    let quarantined = 0;
    let warned = 0;
    let cases = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = rng(seed);
      const dir = join(work, String(seed));
      cpSync(template, dir, { recursive: true });
      const block = blocks[Math.floor(r() * blocks.length)]!;
      const file = join(dir, block, ['meta.json', 'index', 'chunks'][Math.floor(r() * 3)]!);
      const size = statSync(file).size;
      const m = mutations[Math.floor(r() * mutations.length)]!;
      const at = Math.floor(r() * size);
      const buf = readFileSync(file);
      if (m === 'flip') {
        buf[at] = buf[at]! ^ (1 + Math.floor(r() * 255));
        writeFileSync(file, buf);
      } else if (m === 'truncate') truncateSync(file, at);
      else if (m === 'append') writeFileSync(file, Buffer.concat([buf, Buffer.from('garbage\u0000\u00ff')]));
      else if (m === 'zero') {
        buf.fill(0, at, Math.min(size, at + 1 + Math.floor(r() * 64)));
        writeFileSync(file, buf);
      } else unlinkSync(file);
      const label = `seed ${seed}: ${m} ${file.slice(dir.length)} at ${at} of ${size}`;
      let db2: DB;
      try {
        db2 = await openDB({ dir, blockRangeMs: RANGE, maintenanceIntervalMs: 3_600_000, registry: new Registry(), headSnapshotOnShutdown: false });
      } catch (e) {
        assert.fail(`${label}: open threw ${(e as Error).stack}`);
      }
      const got = await dump(db2);
      for (const [k, v] of got.samples) assert.equal(v, truth.get(k), `${label}: ${k} = ${v} was never written (${truth.get(k)})`);
      const lost = [...truth.keys()].filter((k) => !got.samples.has(k)).length;
      if (db2.corruptBlocks.length) quarantined++;
      if (got.warnings.length) warned++;
      if (lost > 0) assert.ok(db2.corruptBlocks.length > 0 || got.warnings.length > 0, `${label}: ${lost} samples missing without a report`);
      // The damaged block's neighbours and the head are all there.
      const meta = JSON.parse(readFileSync(join(template, block, 'meta.json'), 'utf8')) as { minTime: number; maxTime: number };
      for (const [k] of truth) {
        const ts = Number(k.split('@')[1]);
        if (ts < meta.minTime || ts >= meta.maxTime) assert.ok(got.samples.has(k), `${label}: ${k} outside the damaged block is missing`);
      }
      await db2.close();
      rmSync(dir, { recursive: true, force: true });
      cases++;
    }
    assert.equal(cases, 60);
    t.diagnostic(`${cases} damaged copies: ${quarantined} blocks moved aside, ${warned} served with chunk warnings, the rest unaffected`);
    assert.ok(quarantined > 5 && warned > 2, `quarantined ${quarantined}, warned ${warned}`);
  } finally {
    rmSync(template, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
