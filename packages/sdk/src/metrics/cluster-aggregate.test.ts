import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { aggregateFamilies, promAggregators } from './cluster-aggregate.ts';
import type { MetricJSON } from './metric-json.ts';

/** One worker's registry: the same families, different values and label orders. */
function worker(i: number): Registry {
  const r = new Registry();
  const c = new Counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['queue', 'status'], registers: [r] });
  c.inc({ queue: 'mail', status: 'ok' }, 3 + i);
  // Same series, labels given in the other order; and one only this worker has.
  c.inc({ status: 'failed', queue: 'mail' }, i);
  c.inc({ queue: `only-${i}`, status: 'ok' });
  for (const aggregator of ['first', 'min', 'max', 'average', 'omit', 'sum'] as const) {
    const g = new Gauge({ name: `pool_${aggregator}`, help: `Gauge by ${aggregator}.`, labelNames: ['pool'], aggregator, registers: [r] });
    g.set({ pool: 'a' }, 10 * i - 7);
    g.set({ pool: 'b' }, i % 2 === 0 ? -0 : 2.5 * i);
  }
  const h = new Histogram({ name: 'latency_seconds', help: 'Latency.', labelNames: ['route'], buckets: [0.1, 1], registers: [r] });
  h.observe({ route: '/a' }, 0.05 * (i + 1));
  h.observe({ route: `/only-${i}` }, 2);
  return r;
}

async function both(workers: MetricJSON[][]): Promise<[string, string]> {
  const theirs = AggregatorRegistry.aggregate(workers as never);
  const ours = await aggregateFamilies(workers);
  return [await theirs.metrics(), await ours.metrics()];
}

test('aggregateFamilies: the same registry as prom-client\'s AggregatorRegistry.aggregate, for every built-in aggregator', async () => {
  const workers = (await Promise.all([0, 1, 2].map((i) => worker(i).getMetricsAsJSON()))) as unknown as MetricJSON[][];
  const [theirs, ours] = await both(workers);
  assert.equal(ours, theirs);
  // Spot checks, so the comparison is not between two empty outputs.
  assert.match(ours, /^jobs_total\{queue="mail",status="ok"\} 12$/m);
  assert.match(ours, /^pool_average\{pool="a"\} 3$/m);
  assert.match(ours, /^latency_seconds_bucket\{le="\+Inf",route="\/a"\} 3$/m);
  assert.doesNotMatch(ours, /pool_omit/);
  // One worker: nothing to match, the same output still.
  const [theirsOne, oursOne] = await both([(await worker(1).getMetricsAsJSON()) as unknown as MetricJSON[]]);
  assert.equal(oursOne, theirsOne);
  assert.match(oursOne, /^pool_average\{pool="b"\} 2.5$/m);
});

test('aggregateFamilies: an aggregator added to prom-client\'s aggregators runs as prom-client runs it; an unknown one is an error', async () => {
  const workers = (await Promise.all([0, 1].map((i) => worker(i).getMetricsAsJSON()))) as unknown as MetricJSON[][];
  const custom = promAggregators();
  // How many workers have the family: one sample, no labels.
  custom.workers = (metrics) => ({ ...metrics[0]!, values: [{ labels: {}, value: metrics.length }] });
  try {
    for (const families of workers) for (const m of families) if (m.name === 'pool_max') m.aggregator = 'workers';
    const [theirs, ours] = await both(workers);
    assert.equal(ours, theirs);
    assert.match(ours, /^pool_max 2$/m);
    for (const families of workers) for (const m of families) if (m.name === 'pool_max') m.aggregator = 'nonsense';
    await assert.rejects(aggregateFamilies(workers), /'nonsense' is not a defined aggregator/);
  } finally {
    delete custom.workers;
  }
});

test('aggregateFamilies: a large family is aggregated in slices, letting other work run in between', async () => {
  const workers: MetricJSON[][] = [0, 1].map((w) => [
    {
      name: 'wide_total',
      help: 'Many series.',
      type: 'counter',
      aggregator: 'sum',
      values: Array.from({ length: 20_000 }, (_, i) => ({ labels: { id: String(i) }, value: w + i })),
    },
  ]);
  let ticks = 0;
  let on = true;
  const tick = () => {
    ticks++;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  const r = await aggregateFamilies(workers, { sliceMs: 0 });
  on = false;
  assert.ok(ticks > 10, `other work ran ${ticks} times during the aggregation`);
  const [m] = (await r.getMetricsAsJSON()) as unknown as MetricJSON[];
  assert.equal(m!.values.length, 20_000);
  assert.deepEqual(m!.values[19_999], { labels: { id: '19999' }, value: 39_999 });
});
