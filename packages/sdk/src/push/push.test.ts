import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { StatsD } from 'hot-shots';
import { startPushgateway } from './pushgateway.ts';
import { startStatsdExporter } from './statsd.ts';
import { EmfExporter } from './emf.ts';

function registry() {
  const r = new Registry();
  r.setDefaultLabels({ service: 'job' });
  const c = new Counter({ name: 'jobs_done_total', help: 'Jobs.', labelNames: ['queue'], registers: [r] });
  const g = new Gauge({ name: 'queue_depth', help: 'Depth.', labelNames: ['queue'], registers: [r] });
  const h = new Histogram({ name: 'job_duration_seconds', help: 'Duration.', buckets: [1], registers: [r] });
  return { r, c, g, h };
}

test('Pushgateway: POSTs the exposition to /metrics/job/<job>/<grouping>', async () => {
  const got: Array<{ method: string; url: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push({ method: req.method!, url: req.url!, body });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { r, c } = registry();
  c.inc({ queue: 'mail' }, 5);
  const pusher = startPushgateway(r, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, job: 'nightly', groupings: { instance: 'h1' }, intervalMs: 0 });
  await pusher.stop();
  server.close();
  assert.equal(got.length, 1);
  assert.equal(got[0]!.method, 'POST');
  assert.equal(got[0]!.url, '/metrics/job/nightly/instance/h1');
  assert.match(got[0]!.body, /^jobs_done_total\{queue="mail",service="job"\} 5$/m);
});

test('StatsD: counter deltas as increments, gauges, histogram sum/count, labels as tags over UDP', async () => {
  const sock = createSocket('udp4');
  const packets: string[] = [];
  sock.on('message', (m) => packets.push(...m.toString().split('\n').filter(Boolean)));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const client = new StatsD({ host: '127.0.0.1', port: sock.address().port, prefix: 'app.', maxBufferSize: 0 });
  const { r, c, g, h } = registry();
  c.inc({ queue: 'mail' }, 5);
  g.set({ queue: 'mail' }, 12);
  h.observe(0.5);
  const exp = startStatsdExporter(r, client, { intervalMs: 0 });
  await exp.flush();
  c.inc({ queue: 'mail' }, 2);
  await exp.flush();
  await new Promise((res) => setTimeout(res, 100));
  await new Promise<void>((res) => client.close(() => res()));
  sock.close();
  const counters = packets.filter((p) => p.startsWith('app.jobs_done_total:'));
  assert.deepEqual(counters, ['app.jobs_done_total:5|c|#queue:mail,service:job', 'app.jobs_done_total:2|c|#queue:mail,service:job']);
  assert.ok(packets.includes('app.queue_depth:12|g|#queue:mail,service:job'), packets.join('\n'));
  assert.ok(packets.includes('app.job_duration_seconds_count:1|c|#service:job'), packets.join('\n'));
  assert.ok(packets.includes('app.job_duration_seconds_sum:0.5|c|#service:job'), packets.join('\n'));
});

test('CloudWatch EMF: one valid EMF object per series, counters as deltas', async () => {
  const { r, c, g } = registry();
  c.inc({ queue: 'mail' }, 5);
  g.set({ queue: 'mail' }, 3);
  const emf = new EmfExporter(r, { namespace: 'App/Jobs', dimensions: ['queue'], now: () => 1_700_000_000_000 });
  await emf.lines();
  c.inc({ queue: 'mail' }, 4);
  const lines = (await emf.lines()).map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } });
  const counter = lines.find((l) => 'jobs_done_total' in l)!;
  assert.equal(counter.jobs_done_total, 4);
  assert.equal(counter.queue, 'mail');
  assert.equal(counter._aws.Timestamp, 1_700_000_000_000);
  assert.deepEqual(counter._aws.CloudWatchMetrics, [{ Namespace: 'App/Jobs', Dimensions: [['queue']], Metrics: [{ Name: 'jobs_done_total', Unit: 'Count' }] }]);
  assert.equal(lines.find((l) => 'queue_depth' in l)!.queue_depth, 3);
  const sum = lines.find((l) => 'job_duration_seconds_sum' in l)!;
  assert.deepEqual(sum._aws.CloudWatchMetrics[0]!.Dimensions, [[]]);
});
