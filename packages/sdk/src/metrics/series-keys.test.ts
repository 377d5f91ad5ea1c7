import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { renderRegistry } from './render.ts';
import { seriesKeys, TRACK_FROM, type SeriesMap } from './series-keys.ts';

const internals = <V>(m: unknown) => m as SeriesMap<V>;

test('a small family is listed, not tracked: its series map stays prom-client’s object', () => {
  const c = new Counter({ name: 'small_total', help: 'h', labelNames: ['k'], registers: [] });
  c.inc({ k: 'a' });
  const before = internals(c).hashMap;
  const { keys, map } = seriesKeys(internals(c), 5);
  assert.deepEqual(keys, Object.keys(before));
  assert.equal(map, before);
  assert.equal(internals(c).hashMap, before);
});

test('a large family is tracked: later additions, removals and re-additions keep Object.keys order', () => {
  const c = new Counter({ name: 'wide_total', help: 'h', labelNames: ['k'], registers: [] });
  for (let i = 0; i < 5; i++) c.inc({ k: String.fromCharCode(97 + i) });
  const target = internals(c).hashMap;
  const first = seriesKeys(internals(c), 5);
  assert.deepEqual(first.keys, Object.keys(target));
  assert.notEqual(internals(c).hashMap, target, 'the map is replaced by its proxy');

  c.inc({ k: 'z' }); // new series
  c.inc({ k: 'a' }, 2); // existing series
  c.remove({ k: 'b' });
  c.inc({ k: 'b' }); // re-added: moves to the end, as in the object
  const again = seriesKeys(internals(c), 5);
  assert.equal(again.map, target, 'series are read from prom-client’s own object');
  assert.deepEqual(again.keys, Object.keys(target));
  const value = (k: string) => (Object.values(target) as Array<{ value: number; labels: { k: string } }>).find((s) => s.labels.k === k)?.value;
  assert.equal(value('a'), 3);
  assert.equal(value('z'), 1);
  const viaProxy = internals<{ value: number }>(c).hashMap;
  assert.equal(viaProxy[again.keys.at(-2)!]!.value, 1, 'reads through the proxy reach the object');
});

test('reset() gives the metric a new object: tracking starts over and nothing stale is listed', async () => {
  const g = new Gauge({ name: 'g', help: 'h', labelNames: ['k'], registers: [] });
  for (let i = 0; i < 6; i++) g.set({ k: String(i) }, i);
  seriesKeys(internals(g), 5);
  g.reset();
  g.set({ k: 'only' }, 1);
  const { keys, map } = seriesKeys(internals(g), 5);
  assert.equal(keys.length, 1);
  assert.deepEqual(keys, Object.keys(internals(g).hashMap));
  assert.equal(map, internals(g).hashMap, 'one series: no longer tracked');
});

test('rendering a tracked family stays byte-identical to prom-client, before and after it changes', async () => {
  const r = new Registry();
  r.setDefaultLabels({ service: 'svc' });
  const c = new Counter({ name: 'wide_total', help: 'Many series.', labelNames: ['id'], registers: [r] });
  const h = new Histogram({ name: 'lat_seconds', help: 'Latency.', labelNames: ['id'], buckets: [0.1, 1], registers: [r] });
  for (let i = 0; i < TRACK_FROM; i++) {
    c.inc({ id: String(i) });
    h.observe({ id: String(i) }, i % 2);
  }
  assert.equal(await renderRegistry(r), await r.metrics());
  const tracked = internals(c).hashMap;
  c.inc({ id: 'new' }, 4);
  c.remove({ id: '7' });
  h.observe({ id: 'new' }, 0.05);
  h.observe({ id: '3' }, 0.05);
  h.remove({ id: '9' });
  assert.equal(internals(c).hashMap, tracked, 'still the same proxy');
  const ours = await renderRegistry(r);
  assert.equal(ours, await r.metrics());
  assert.match(ours, /^wide_total\{id="new",service="svc"\} 4$/m);
  assert.doesNotMatch(ours, /^wide_total\{id="7",/m);
});
