import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, ByteWriter } from './bytes.ts';
import { decodeChunk, encodeChunk, encodeChunkBytes, MODE_DELTA, MODE_DELTA2, MODE_XOR } from './codec.ts';
import { rng } from '../../testutil/rng.ts';

const STALE = new Float64Array(new Uint32Array([0x00000002, 0x7ff00000]).buffer)[0]!;

function roundTrip(ts: number[], vs: number[], base = 0): { bytes: number; mode: number } {
  const buf = encodeChunkBytes(ts, vs, 0, ts.length, base);
  const r = new ByteReader(buf);
  const d = decodeChunk(r, base);
  assert.equal(r.pos, buf.length, 'decoder consumed the whole chunk');
  assert.equal(d.n, ts.length);
  assert.deepEqual([...d.ts], ts);
  const got = new Uint32Array(d.vs.buffer);
  const want = new Uint32Array(Float64Array.from(vs).buffer);
  assert.deepEqual([...got], [...want], 'values bit for bit');
  return { bytes: buf.length, mode: buf[0]! };
}

test('decimal gauges, counters and histogram buckets round-trip and compress', () => {
  const r = rng(1);
  const t0 = 1_700_000_000_000;
  const ts = Array.from({ length: 480 }, (_, i) => t0 + i * 15_000);
  let g = 40;
  const gauge = ts.map(() => (g = Math.round((g + (r() - 0.5) * 0.4) * 10_000) / 10_000));
  let c = 0;
  const counter = ts.map(() => (c += Math.floor(r() * 20)));
  let k = 1000;
  const steady = ts.map(() => (k += 7));
  const a = roundTrip(ts, gauge, t0);
  const b = roundTrip(ts, counter, t0);
  const s = roundTrip(ts, steady, t0);
  assert.equal(a.mode, MODE_DELTA);
  assert.ok(a.bytes / 480 < 1.8, `gauge ${a.bytes / 480} B/sample`);
  assert.ok(b.bytes / 480 < 0.85, `counter ${b.bytes / 480} B/sample`);
  assert.equal(s.mode, MODE_DELTA2);
  assert.ok(s.bytes < 32, `constant-rate counter ${s.bytes} bytes`);
});

test('NaN (staleness marker), infinities, -0 and binary fractions fall back to XOR losslessly', () => {
  const ts = [1, 2, 3, 5, 8, 13, 21];
  const x = roundTrip(ts, [0.1 + 0.2, Math.PI, STALE, Infinity, -Infinity, -0, NaN]);
  assert.equal(x.mode, MODE_XOR);
  roundTrip([10], [STALE]);
  roundTrip([10, 20], [1e300, 5e-324]);
});

test('irregular timestamps, negative values, large integers, single samples', () => {
  const r = rng(7);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(r() * 300);
    const ts: number[] = [];
    let t = Math.floor(r() * 1e12) - 5e11;
    for (let i = 0; i < n; i++) ts.push((t += 1 + Math.floor(r() * (r() < 0.1 ? 1e7 : 100))));
    const kind = trial % 4;
    const vs = ts.map((_, i) =>
      kind === 0 ? Math.round((r() - 0.5) * 1e6) / 100 : kind === 1 ? Math.floor(r() * 2 ** 48) * (r() < 0.5 ? -1 : 1) : kind === 2 ? r() * 1e9 : i % 7 === 0 ? STALE : i,
    );
    roundTrip(ts, vs, trial % 2 ? ts[0]! : 0);
  }
});

test('a truncated or corrupt chunk throws a RangeError naming an offset, never returns garbage silently', () => {
  const ts = Array.from({ length: 100 }, (_, i) => i * 1000);
  const vs = ts.map((_, i) => i * 1.5);
  const w = new ByteWriter();
  encodeChunk(w, ts, vs, 0, 100, 0);
  const buf = w.finish();
  for (let cut = 0; cut < buf.length; cut++) {
    assert.throws(() => decodeChunk(new ByteReader(buf, 0, cut), 0), (e: unknown) => e instanceof RangeError && /offset \d+/.test(e.message), `cut at ${cut}`);
  }
  const bad = buf.slice();
  bad[0] = 9;
  assert.throws(() => decodeChunk(new ByteReader(bad), 0), /unknown chunk encoding 9 at offset 0/);
  void MODE_DELTA2;
});

test('one outlier (a scrape gap, a counter reset) does not widen its whole frame: exceptions', () => {
  const t0 = 1_700_000_000_000;
  const ts = Array.from({ length: 200 }, (_, i) => t0 + i * 15_000 + (i >= 100 ? 3_600_000 : 0) + (i % 7 === 3 ? 2 : 0));
  let c = 1000;
  const vs = ts.map((_, i) => (i === 150 ? (c = 5) : (c += 3)));
  const r = roundTrip(ts, vs, t0);
  // Timestamps: jitter of 2 ms and one 1 h gap; values: steady rate with one reset.
  assert.ok(r.bytes < 140, `${r.bytes} bytes for 200 samples`);
});

test('bit packing round-trips frames of every width with and without exceptions', async () => {
  const { ByteWriter: W, ByteReader: R } = await import('./bytes.ts');
  const { packInto, unpackFrom, packedBits } = await import('./bitpack.ts');
  const rnd = rng(3);
  for (let trial = 0; trial < 300; trial++) {
    const n = 1 + Math.floor(rnd() * 200);
    const width = Math.floor(rnd() * 54);
    const vals = Array.from({ length: n }, () => (rnd() < 0.05 ? Math.floor(rnd() * 2 ** 52) : Math.floor(rnd() * 2 ** width)));
    const w = new W();
    packInto(w, vals, 0, n);
    assert.equal(w.len * 8 >= packedBits(vals, 0, n) - 8 * Math.ceil(n / 64), true);
    const out = new Float64Array(n);
    const r = new R(w.finish());
    unpackFrom(r, out, n);
    assert.deepEqual([...out], vals, `trial ${trial}`);
    assert.equal(r.pos, w.len);
  }
});
