import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { renderRegistry } from './render.ts';

function sample(): Registry {
  const r = new Registry();
  r.setDefaultLabels({ service: 'svc' });
  const c = new Counter({ name: 'jobs_total', help: 'Jobs.\nWith a "newline" and \\ backslash.', labelNames: ['queue'], registers: [r] });
  c.inc({ queue: 'a"b\\c\nd' }, 3);
  c.inc({ queue: 'plain' });
  new Gauge({ name: 'temp_celsius', help: 'Temp.', registers: [r] }).set(-1.5);
  const g = new Gauge({ name: 'odd', help: 'Odd values.', labelNames: ['k'], registers: [r] });
  g.set({ k: 'inf' }, Infinity);
  g.set({ k: 'ninf' }, -Infinity);
  const h = new Histogram({ name: 'lat_seconds', help: 'Latency.', labelNames: ['route'], buckets: [0.1, 1], registers: [r] });
  h.observe({ route: '/a' }, 0.05);
  h.observe({ route: '/b' }, 3);
  const s = new Summary({ name: 'size_bytes', help: 'Sizes.', percentiles: [0.5, 0.9], registers: [r] });
  s.observe(10);
  new Counter({ name: 'never_total', help: 'Never incremented, with labels.', labelNames: ['x'], registers: [r] });
  return r;
}

test('text output is byte-identical to prom-client registry.metrics()', async () => {
  const r = sample();
  assert.equal(await renderRegistry(r), await r.metrics());
});

test('OpenMetrics: counter family without _total, samples with it, # EOF, registry untouched', async () => {
  const r = sample();
  const om = await renderRegistry(r, { openMetrics: true });
  assert.match(om, /^# TYPE jobs counter$/m);
  assert.match(om, /^jobs_total\{queue="plain",service="svc"\} 1$/m);
  assert.ok(om.endsWith('# EOF\n'));
  assert.ok(!om.includes('\n\n'));
  // prom-client's own OpenMetrics path renames registered counters; ours must not.
  assert.equal((r.getSingleMetric('jobs_total') as unknown as { name: string }).name, 'jobs_total');
  assert.equal(await renderRegistry(r), await r.metrics());
});

test('large registries are rendered in slices: the event loop runs during rendering', async () => {
  const r = new Registry();
  const c = new Counter({ name: 'wide_total', help: 'Many series.', labelNames: ['id'], registers: [r] });
  for (let i = 0; i < 50_000; i++) c.inc({ id: String(i) });
  let ticks = 0;
  let on = true;
  const spin = () => {
    ticks++;
    if (on) setImmediate(spin);
  };
  setImmediate(spin);
  const body = await renderRegistry(r, { sliceMs: 1 });
  on = false;
  assert.ok(ticks > 1, `event loop turned ${ticks} times during rendering`);
  assert.equal(body.split('\n').filter((l) => l.startsWith('wide_total{')).length, 50_000);
});
