import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { renderRegistry } from './render.ts';
import { seriesKeys, trackRegistry, TRACK_FROM, type SeriesMap } from './series-keys.ts';

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

test('trackRegistry: a family tracked from registration is never listed, and goes back to a plain object if small at its first scrape', async () => {
  const r = new Registry();
  trackRegistry(r);
  trackRegistry(r); // idempotent
  const wide = new Counter({ name: 'wide_total', help: 'h', labelNames: ['k'], registers: [r] });
  const small = new Histogram({ name: 'small_seconds', help: 'h', labelNames: ['k'], buckets: [1], registers: [r] });
  const plain = new Gauge({ name: 'plain', help: 'h', registers: [r] });
  const plainMap = internals(plain).hashMap;
  const wideProxy = internals(wide).hashMap;
  const smallProxy = internals(small).hashMap;
  for (let i = 0; i < 6; i++) wide.inc({ k: String(i) });
  small.observe({ k: 'a' }, 0.5);
  // Listing the wide family's map (Object.keys) would be the stall: it must not happen.
  const listed: unknown[] = [];
  const keysOf = Object.keys;
  Object.keys = ((o: object) => (listed.push(o), keysOf(o))) as typeof Object.keys;
  let first: { keys: string[]; map: Record<string, unknown> };
  try {
    first = seriesKeys(internals(wide), 5);
  } finally {
    Object.keys = keysOf;
  }
  assert.deepEqual(listed, []);
  assert.deepEqual(first.keys, Object.keys(first.map));
  assert.equal(internals(wide).hashMap, wideProxy, 'large at the first scrape: still tracked');
  const s = seriesKeys(internals(small), 5);
  assert.equal(s.keys.length, 1);
  assert.notEqual(internals(small).hashMap, smallProxy, 'small at the first scrape: the plain object again');
  assert.equal(internals(small).hashMap, s.map);
  assert.equal(internals(plain).hashMap, plainMap, 'a family without labels is not tracked');
  small.observe({ k: 'b' }, 2);
  assert.equal(await renderRegistry(r), await r.metrics());
});

test('trackRegistry: a family with many series at its first scrape is read from the tracked keys, in Object.keys order', async () => {
  const r = new Registry();
  trackRegistry(r);
  const c = new Counter({ name: 'wide_total', help: 'h', labelNames: ['k'], registers: [r] });
  for (let i = 0; i < TRACK_FROM + 5; i++) c.inc({ k: String(i) });
  c.remove({ k: '3' });
  const proxy = internals(c).hashMap;
  const { keys, map } = seriesKeys(internals(c));
  assert.deepEqual(keys, Object.keys(map));
  assert.equal(internals(c).hashMap, proxy, 'still tracked');
  assert.equal(await renderRegistry(r), await r.metrics());
});
