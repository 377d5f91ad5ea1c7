import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { addLinePart, aggregateLineFamilies, type LineFamily } from './line-aggregate.ts';
import { metricsAsLineParts, sampleLine } from './line-parts.ts';
import { compactOf, parseSampleLine } from './compact-family.ts';
import { renderRegistry } from './render.ts';
import type { MetricJSON } from './metric-json.ts';

/** One worker's registry: the same families, different values, label orders and series orders. */
function worker(i: number): Registry {
  const r = new Registry();
  const c = new Counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['queue', 'status'], registers: [r] });
  // Series created in a different order in each worker.
  if (i % 2 === 1) c.inc({ queue: `only-${i}`, status: 'ok' });
  c.inc({ queue: 'mail', status: 'ok' }, 3 + i);
  c.inc({ status: 'failed', queue: 'mail' }, i);
  if (i % 2 === 0) c.inc({ queue: `only-${i}`, status: 'ok' });
  // The same series in the same order everywhere: combined position by position.
  const same = new Counter({ name: 'same_total', help: 'Same layout.', labelNames: ['id'], registers: [r] });
  for (let k = 0; k < 10; k++) same.inc({ id: String(k) }, k + i);
  for (const aggregator of ['first', 'min', 'max', 'average', 'omit', 'sum'] as const) {
    const g = new Gauge({ name: `pool_${aggregator}`, help: `Gauge by ${aggregator}.`, labelNames: ['pool'], aggregator, registers: [r] });
    g.set({ pool: 'a' }, 10 * i - 7);
    g.set({ pool: 'b' }, i % 2 === 0 ? -0 : 2.5 * i);
  }
  const odd = new Gauge({ name: 'odd_values', help: 'Awkward values and labels.', labelNames: ['path'], aggregator: 'max', registers: [r] });
  odd.set({ path: 'a"b\\c\nd,e="f' }, i);
  odd.set({ path: 'inf' }, i === 0 ? Infinity : 1);
  odd.set({ path: 'neg' }, -Infinity);
  const h = new Histogram({ name: 'latency_seconds', help: 'Latency.', labelNames: ['route'], buckets: [0.1, 1], registers: [r] });
  h.observe({ route: '/a' }, 0.05 * (i + 1));
  h.observe({ route: `/only-${i}` }, 2);
  const s = new Summary({ name: 'size_bytes', help: 'Sizes.', percentiles: [0.5], registers: [r] });
  s.observe(100 * (i + 1));
  new Counter({ name: 'never_total', help: 'No series yet.', registers: [r] });
  return r;
}

/** Each worker's families as the primary holds them, after an IPC-like JSON round trip of every part. */
async function asPrimary(registries: Registry[], maxValues = 3): Promise<Array<Map<string, LineFamily>>> {
  const out: Array<Map<string, LineFamily>> = [];
  for (const r of registries) {
    const families = new Map<string, LineFamily>();
    for await (const part of metricsAsLineParts(r, { maxValues })) addLinePart(families, JSON.parse(JSON.stringify(part)));
    out.push(families);
  }
  return out;
}

/** Text exposition with each sample's labels in name order, so outputs differing only in label order compare equal. */
function canonical(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      if (l.startsWith('#')) return l;
      const sp = l.lastIndexOf(' ');
      const { name, labels } = parseSampleLine(l.slice(0, sp));
      return `${sampleLine(name, labels)} ${l.slice(sp + 1)}`;
    });
}

test('aggregateLineFamilies: the same samples as prom-client\'s AggregatorRegistry.aggregate, for every built-in aggregator, through the SDK\'s renderer and prom-client\'s', async () => {
  const registries = [0, 1, 2].map(worker);
  const theirs = await AggregatorRegistry.aggregate((await Promise.all(registries.map((r) => r.getMetricsAsJSON()))) as never).metrics();
  const ours = await aggregateLineFamilies((await asPrimary(registries)).map((f) => f.values()));
  const rendered = await renderRegistry(ours);
  assert.deepEqual(canonical(rendered), canonical(theirs));
  // prom-client renders the result through get(), the JSON shape.
  assert.deepEqual(canonical(await ours.metrics()), canonical(theirs));
  // Spot checks, so the comparison is not between two empty outputs.
  assert.match(rendered, /^jobs_total\{queue="mail",status="ok"\} 12$/m);
  assert.match(rendered, /^same_total\{id="9"\} 30$/m);
  assert.match(rendered, /^pool_average\{pool="a"\} 3$/m);
  assert.match(rendered, /^odd_values\{path="a\\"b\\\\c\\nd,e=\\"f"\} 2$/m);
  assert.match(rendered, /^odd_values\{path="inf"\} \+Inf$/m);
  assert.match(rendered, /^odd_values\{path="neg"\} -Inf$/m);
  assert.match(rendered, /^latency_seconds_bucket\{le="\+Inf",route="\/a"\} 3$/m);
  assert.match(rendered, /^# TYPE never_total counter$/m);
  assert.doesNotMatch(rendered, /pool_omit/);
  // Held as text: a few blocks, not one object per sample.
  const jobs = compactOf(ours.getSingleMetric('same_total'));
  assert.ok(jobs !== undefined && jobs.blocks.length === 4, 'same_total kept as 4 blocks of at most 3 lines');
  // One worker: nothing to match, the same output still.
  const one = await AggregatorRegistry.aggregate([(await registries[1]!.getMetricsAsJSON()) as never]).metrics();
  assert.deepEqual(canonical(await renderRegistry(await aggregateLineFamilies((await asPrimary([registries[1]!])).map((f) => f.values())))), canonical(one));
});

test('aggregateLineFamilies: OpenMetrics names counter samples with _total; default labels set on the result are added; a custom aggregator runs as prom-client runs it', async () => {
  const registries = [0, 1].map(worker);
  const ours = await aggregateLineFamilies((await asPrimary(registries)).map((f) => f.values()));
  const om = await renderRegistry(ours, { openMetrics: true });
  assert.match(om, /^# TYPE jobs counter$/m);
  assert.match(om, /^jobs_total\{queue="mail",status="ok"\} 7$/m);
  assert.ok(om.endsWith('# EOF\n'));
  ours.setDefaultLabels({ region: 'eu', queue: 'ignored-when-set' });
  const withDefaults = await renderRegistry(ours);
  assert.match(withDefaults, /^jobs_total\{queue="mail",status="ok",region="eu"\} 7$/m);
  // A custom aggregator: prom-client's table, called with the families in its JSON shape.
  const aggregators = (await import('prom-client')) as unknown as { aggregators: Record<string, (m: MetricJSON[]) => MetricJSON> };
  aggregators.aggregators.workers = (metrics) => ({ ...metrics[0]!, values: [{ labels: {}, value: metrics.length }] });
  try {
    const r = [0, 1, 2].map(() => {
      const reg = new Registry();
      new Gauge({ name: 'counted', help: 'Workers.', aggregator: 'workers' as never, registers: [reg] }).set(1);
      return reg;
    });
    const out = await renderRegistry(await aggregateLineFamilies((await asPrimary(r)).map((f) => f.values())));
    assert.match(out, /^counted 3$/m);
    const bad = [new Registry()];
    new Gauge({ name: 'x', help: 'x', aggregator: 'nope' as never, registers: bad });
    await assert.rejects(aggregateLineFamilies((await asPrimary(bad)).map((f) => f.values())), /'nope' is not a defined aggregator/);
  } finally {
    delete aggregators.aggregators.workers;
  }
});
