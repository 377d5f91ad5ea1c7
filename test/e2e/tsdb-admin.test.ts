// The storage's admin and status endpoints, against `vigil start` over HTTP:
// /api/v1/status/tsdb and /status/walreplay in Prometheus's shapes, and the
// admin API (delete_series, clean_tombstones, snapshot) only with
// --web.enable-admin-api, answering like Prometheus otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappy';
import { Matcher } from '@vigil/core';
import { Registry } from 'prom-client';
import { writeRequestType } from '../../packages/server/src/remote/index.ts';
import { openDB } from '../../packages/server/src/tsdb/index.ts';
import { rangeSamples } from './helpers/prom-api.ts';
import { freePort } from './helpers/process.ts';
import { startVigilProcess, type VigilProcess } from './helpers/vigil-process.ts';

async function write(url: string, series: Array<{ s: string; t: number; v: number }>): Promise<void> {
  const type = writeRequestType();
  const timeseries = series.map((x) => ({ labels: [{ name: '__name__', value: 'adm' }, { name: 's', value: x.s }], samples: [{ value: x.v, timestamp: x.t }] }));
  const r = await fetch(`${url}/api/v1/write`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy' },
    body: new Uint8Array(snappy.compressSync(Buffer.from(type.encode(type.create({ timeseries })).finish()))),
  });
  assert.equal(r.status, 204, await r.text());
}

test('status/tsdb, status/walreplay and the admin API (disabled: 503; enabled: delete, clean, snapshot)', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-admin-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, 'global:\n  scrape_interval: 1h\n');
  let vigil: VigilProcess | undefined;
  try {
    const port = await freePort();
    vigil = await startVigilProcess({ configFile, storagePath: join(dir, 'data'), port, extraFlags: ['--web.enable-remote-write-receiver'] });
    const off = await fetch(`${vigil.url}/api/v1/admin/tsdb/snapshot`, { method: 'POST' });
    assert.equal(off.status, 503);
    assert.deepEqual(await off.json(), { status: 'error', errorType: 'unavailable', error: 'admin APIs disabled' });
    await vigil.stop();

    vigil = await startVigilProcess({ configFile, storagePath: join(dir, 'data'), port, extraFlags: ['--web.enable-remote-write-receiver', '--web.enable-admin-api'] });
    const t0 = Date.now() - 60_000;
    for (let k = 0; k < 10; k++) await write(vigil.url, ['a', 'b', 'c'].map((s, i) => ({ s, t: t0 + k * 1000, v: k * 10 + i })));

    const st = (await (await fetch(`${vigil.url}/api/v1/status/tsdb?limit=2`)).json()) as { status: string; data: Record<string, unknown> };
    assert.equal(st.status, 'success');
    assert.deepEqual(Object.keys(st.data).sort(), ['headStats', 'labelValueCountByLabelName', 'memoryInBytesByLabelName', 'seriesCountByLabelValuePair', 'seriesCountByMetricName']);
    const head = st.data.headStats as Record<string, number>;
    assert.ok(head.numSeries >= 3 && head.minTime <= t0 && head.maxTime >= t0 + 9000, JSON.stringify(head));
    assert.deepEqual(st.data.seriesCountByMetricName, [{ name: 'adm', value: 3 }]);
    assert.ok((st.data.labelValueCountByLabelName as unknown[]).length <= 2);
    const wr = (await (await fetch(`${vigil.url}/api/v1/status/walreplay`)).json()) as { data: Record<string, number> };
    assert.deepEqual(Object.keys(wr.data).sort(), ['current', 'max', 'min']);

    const bad = await fetch(`${vigil.url}/api/v1/admin/tsdb/delete_series`, { method: 'POST' });
    assert.equal(bad.status, 400);
    const del = await fetch(`${vigil.url}/api/v1/admin/tsdb/delete_series?match[]=${encodeURIComponent('adm{s="a"}')}&start=${(t0 + 5000) / 1000}`, { method: 'POST' });
    assert.equal(del.status, 204);
    const after = await rangeSamples(vigil.url, 'adm[5m]');
    assert.deepEqual([...after.get('{__name__="adm",s="a"}')!.keys()], [0, 1, 2, 3, 4].map((k) => (t0 + k * 1000) / 1000));
    assert.equal(after.get('{__name__="adm",s="b"}')!.size, 10);
    assert.equal((await fetch(`${vigil.url}/api/v1/admin/tsdb/clean_tombstones`, { method: 'PUT' })).status, 204);

    const snap = (await (await fetch(`${vigil.url}/api/v1/admin/tsdb/snapshot`, { method: 'POST' })).json()) as { status: string; data: { name: string } };
    assert.match(snap.data.name, /^\d{8}T\d{6}Z-[0-9a-f]{16}$/);
    const copy = await openDB({ dir: join(dir, 'data', 'snapshots', snap.data.name), registry: new Registry(), headSnapshotOnShutdown: false });
    const q = await copy.querier(-Infinity, Infinity);
    const set = await q.select(true, undefined, new Matcher('=', '__name__', 'adm'));
    const counts = set.series.map((s) => {
      const it = s.iterator();
      let n = 0;
      while (it.next()) n++;
      return `${s.labels[1]!.value}:${n}`;
    });
    assert.deepEqual(counts, ['a:5', 'b:10', 'c:10'], 'the snapshot holds the head, deletion applied');
    await copy.close();
  } finally {
    await vigil?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
