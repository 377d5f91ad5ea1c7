import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { metricsAsJSONParts, type MetricJSON } from './metric-json.ts';
import { renderRegistry } from './render.ts';

function sample(): Registry {
  const r = new Registry();
  r.setDefaultLabels({ service: 'svc' });
  const c = new Counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['queue'], registers: [r] });
  for (let i = 0; i < 5_000; i++) c.inc({ queue: `q${i}` }, i);
  new Gauge({ name: 'temp_celsius', help: 'Temp.', registers: [r], aggregator: 'max' }).set(-1.5);
  const h = new Histogram({ name: 'lat_seconds', help: 'Latency.', labelNames: ['route'], buckets: [0.1, 1], registers: [r] });
  h.observe({ route: '/a' }, 0.05);
  h.observe({ route: '/b' }, 3);
  new Summary({ name: 'size_bytes', help: 'Sizes.', percentiles: [0.5], registers: [r] }).observe(10);
  new Counter({ name: 'never_total', help: 'Never incremented.', labelNames: ['x'], registers: [r] });
  return r;
}

async function collect(r: Registry, maxValues: number): Promise<MetricJSON[]> {
  const parts: MetricJSON[] = [];
  for await (const p of metricsAsJSONParts(r, { maxValues })) parts.push(p);
  return parts;
}

/** Parts of one family concatenated, as the cluster primary does. */
function merged(parts: MetricJSON[]): MetricJSON[] {
  const byName = new Map<string, MetricJSON>();
  for (const p of parts) {
    const seen = byName.get(p.name);
    if (seen) seen.values.push(...p.values);
    else byName.set(p.name, { ...p, values: [...p.values] });
  }
  return [...byName.values()];
}

test('JSON parts: bounded in size, and together what registry.getMetricsAsJSON() returns', async () => {
  const r = sample();
  const parts = await collect(r, 1_000);
  assert.ok(parts.every((p) => p.values.length <= 1_000));
  assert.equal(parts.filter((p) => p.name === 'jobs_total').length, 5);
  const theirs = (await r.getMetricsAsJSON()) as unknown as MetricJSON[];
  // prom-client's summary carries its own fields; compare the shape the aggregator reads.
  const shape = (ms: MetricJSON[]) => ms.map((m) => ({ name: m.name, help: m.help, type: m.type, aggregator: m.aggregator, values: m.values.map((v) => ({ labels: v.labels, value: v.value, metricName: v.metricName })) }));
  assert.deepEqual(shape(merged(parts)), shape(theirs));
});

test('JSON parts: aggregated across two workers, the text equals prom-client aggregating its own JSON', async () => {
  const a = sample();
  const b = sample();
  const ours = AggregatorRegistry.aggregate([merged(await collect(a, 700)), merged(await collect(b, 700))] as never);
  const theirs = AggregatorRegistry.aggregate([await a.getMetricsAsJSON(), await b.getMetricsAsJSON()] as never);
  const text = await renderRegistry(ours);
  assert.equal(text, await theirs.metrics());
  assert.match(text, /^jobs_total\{queue="q7",service="svc"\} 14$/m);
  assert.match(text, /^temp_celsius\{service="svc"\} -1.5$/m);
});
