import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import snappy from 'snappy';
import { Matcher, silentLogger } from '@vigil/core';
import { Registry } from 'prom-client';
import { openDB } from '../tsdb/index.ts';
import { registerWriteHandler } from './write-handler.ts';
import { writeRequestType } from './proto.ts';
import { forEachWireSeries, decodeWireLabels } from './wire.ts';

const type = writeRequestType();

function encode(timeseries: unknown[], extra?: Buffer): Buffer {
  const raw = Buffer.from(type.encode(type.create({ timeseries })).finish());
  return extra ? Buffer.concat([raw, extra]) : raw;
}

test('the wire reader agrees with protobufjs on labels, samples, negative timestamps and skipped fields', () => {
  const series = [
    { labels: [{ name: '__name__', value: 'a' }, { name: 'job', value: 'x' }], samples: [{ value: 1.5, timestamp: 1000 }, { value: NaN, timestamp: 2000 }] },
    { labels: [{ name: 'z', value: 'ü→' }, { name: '__name__', value: 'b' }, { name: 'e', value: '' }], samples: [{ value: -0, timestamp: -5 }] },
    { labels: [{ name: '__name__', value: 'c' }], samples: [] },
  ];
  // Field 3 (metadata) of WriteRequest: tag 0x1a, a 2-byte message; the reader must skip it.
  const buf = encode(series, Buffer.from([0x1a, 0x02, 0x08, 0x01]));
  const seen: Array<{ labels: unknown; ts: number[]; vs: number[] }> = [];
  forEachWireSeries(buf, (s) => seen.push({ labels: decodeWireLabels(s), ts: [...s.ts.subarray(0, s.n)], vs: [...s.vs.subarray(0, s.n)] }));
  assert.equal(seen.length, 3);
  assert.deepEqual(seen[0], { labels: series[0]!.labels, ts: [1000, 2000], vs: [1.5, NaN] });
  // proto3 omits empty strings on the wire: the empty value comes back as ''.
  assert.deepEqual(seen[1]!.labels, series[1]!.labels);
  assert.deepEqual(seen[1]!.ts, [-5]);
  assert.ok(Object.is(seen[1]!.vs[0], -0));
  assert.deepEqual(seen[2]!.ts, []);
});

test('POST /api/v1/write: stores samples, serves repeated series from the ref cache, refuses bad samples and bad bytes with 400', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rw-'));
  const db = await openDB({ dir, registry: new Registry() });
  const app = Fastify();
  registerWriteHandler(app, { appendable: db, logger: silentLogger(), registry: new Registry() });
  const post = (body: Buffer) =>
    app.inject({ method: 'POST', url: '/api/v1/write', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }, payload: snappy.compressSync(body) as Buffer });
  try {
    const mk = (t: number, v: number) => [
      { labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'a' }], samples: [{ value: v, timestamp: t }] },
      // Unsorted on the wire, as some senders do: stored sorted.
      { labels: [{ name: 'job', value: 'b' }, { name: '__name__', value: 'up' }], samples: [{ value: v * 2, timestamp: t }] },
    ];
    for (let k = 1; k <= 5; k++) assert.equal((await post(encode(mk(k * 1000, k)))).statusCode, 204);
    const q = await db.querier(0, 10_000);
    const set = await q.select(true, undefined, new Matcher('=', '__name__', 'up'));
    const got = set.series.map((s) => {
      const it = s.iterator();
      const xs: number[] = [];
      while (it.next()) xs.push(it.v);
      return [s.labels.map((l) => l.value).join(','), xs];
    });
    assert.deepEqual(got, [
      ['up,a', [1, 2, 3, 4, 5]],
      ['up,b', [2, 4, 6, 8, 10]],
    ]);
    // Out of order for one series: 400 naming it, the other series' sample kept.
    const bad = await post(encode([{ labels: mk(0, 0)[0]!.labels, samples: [{ value: 9, timestamp: 1500 }] }, { labels: mk(0, 0)[1]!.labels, samples: [{ value: 12, timestamp: 6000 }] }]));
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /out of order.*"job":"a"/);
    // Truncated protobuf: 400 with an offset.
    const cut = encode(mk(7000, 7)).subarray(0, 20);
    const r = await post(cut);
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /decode remote write request: .*offset \d+/);
  } finally {
    await app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
