import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matcher } from '@vigil/core';
import { Registry } from 'prom-client';
import { openDB } from '@vigil/server/tsdb/index.ts';

const root = join(import.meta.dirname, '../../../..');
const vigil = (...args: string[]) => spawnSync(process.execPath, [join(root, 'packages/cli/bin/vigil.js'), ...args], { encoding: 'utf8', cwd: root });

// Two hours and a bit, at 15 s: the samples fall in two 2-hour windows.
const T0 = 1_732_262_400; // 2024-11-22T08:00:00Z, a window start
function openMetrics(): { text: string; want: Map<string, Array<[number, number]>> } {
  const lines = ['# HELP req Requests.', '# TYPE req counter'];
  const want = new Map<string, Array<[number, number]>>();
  for (const route of ['/a', '/b']) {
    const xs: Array<[number, number]> = [];
    for (let k = 0; k < 500; k++) {
      const v = k * 3 + (route === '/b' ? 0.5 : 0);
      lines.push(`req_total{route="${route}"} ${v} ${T0 + k * 15}`);
      xs.push([(T0 + k * 15) * 1000, v]);
    }
    want.set(route, xs);
  }
  lines.push('# TYPE temp gauge', `temp{room="x"} 21.5 ${T0 + 7300}.5`, '# EOF', '');
  want.set('temp', [[(T0 + 7300) * 1000 + 500, 21.5]]);
  return { text: lines.join('\n'), want };
}

test('vigil tsdb create-blocks-from openmetrics writes 2-hour blocks a storage serves exactly; analyze reports them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-backfill-'));
  try {
    const { text, want } = openMetrics();
    const file = join(dir, 'in.om.txt');
    writeFileSync(file, text);
    const out = join(dir, 'data');
    const r = vigil('tsdb', 'create-blocks-from', 'openmetrics', file, out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 2, r.stdout);
    assert.match(r.stdout, /2024-11-22T08:00:00.000Z - 2024-11-22T10:00:00.000Z: 2 series, 960 samples/);
    const db = await openDB({ dir: out, registry: new Registry(), headSnapshotOnShutdown: false });
    const q = await db.querier(-Infinity, Infinity);
    for (const [key, xs] of want) {
      const m = key === 'temp' ? new Matcher('=', '__name__', 'temp') : new Matcher('=', 'route', key);
      const set = await q.select(false, undefined, m);
      assert.equal(set.series.length, 1, key);
      const it = set.series[0]!.iterator();
      const got: Array<[number, number]> = [];
      while (it.next()) got.push([it.t, it.v]);
      assert.deepEqual(got, xs, key);
    }
    await db.close();
    const a = vigil('tsdb', 'analyze', '--limit=3', out);
    assert.equal(a.status, 0, a.stderr);
    assert.match(a.stdout, /Total Series: 3/);
    assert.match(a.stdout, /Highest cardinality metric names:\n2 req_total\n1 temp/);
    assert.match(a.stdout, /bytes\/sample/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('create-blocks-from refuses what promtool refuses, naming the file and line; writes nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-backfill-bad-'));
  try {
    const cases: Array<[string, string, RegExp]> = [
      ['no-eof', `a 1 ${T0}\n`, /no-eof:\d+: missing # EOF/],
      ['bad-value', `a x ${T0}\n# EOF\n`, /bad-value:1: /],
      ['no-timestamp', 'a 1\n# EOF\n', /has no timestamp/],
    ];
    const promtool = existsSync('/usr/bin/promtool');
    for (const [name, body, re] of cases) {
      const file = join(dir, name);
      writeFileSync(file, body);
      const out = join(dir, `out-${name}`);
      const r = vigil('tsdb', 'create-blocks-from', 'openmetrics', file, out);
      assert.equal(r.status, 1, `${name}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, re);
      assert.ok(!existsSync(out) || readdirSync(out).filter((f) => !f.endsWith('.tmp')).length === 0, `${name}: blocks written`);
      if (promtool && name !== 'no-timestamp') {
        const p = spawnSync('/usr/bin/promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, join(dir, `prom-${name}`)], { encoding: 'utf8' });
        assert.notEqual(p.status, 0, `${name}: promtool accepted it`);
      }
    }
    if (promtool) {
      // And both accept the good file.
      const good = join(dir, 'good');
      writeFileSync(good, openMetrics().text);
      assert.equal(spawnSync('/usr/bin/promtool', ['tsdb', 'create-blocks-from', 'openmetrics', good, join(dir, 'prom-good')], { encoding: 'utf8' }).status, 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
