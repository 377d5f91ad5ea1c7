import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { HttpMetrics } from './http-metrics.ts';
import { monotonicMs } from './clock.ts';

/** The value of one sample line of `registry.metrics()` output, or undefined. */
async function sample(r: Registry, line: string): Promise<number | undefined> {
  const text = await r.metrics();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

/** Ends `n` GET requests of `/users/:id` with status `status`, each begun with begin(). */
function serve(http: HttpMetrics, n: number, status = 200, responseBytes = 10): void {
  const rs = http.route('/users/:id');
  for (let i = 0; i < n; i++) http.end(http.begin(), rs, 'GET', status, -1, responseBytes);
}

const COUNT = 'http_requests_total{method="GET",route="/users/:id",status="200"}';

test('ends waiting in a batch are in every read: a scrape after 1, 63, 64, 65 and 1,000 requests counts each one', async () => {
  for (const n of [1, 63, 64, 65, 1000]) {
    const r = new Registry();
    const http = new HttpMetrics(r);
    serve(http, n);
    assert.equal(await sample(r, COUNT), n, `${n} requests`);
    assert.equal(await sample(r, 'http_request_duration_seconds_count{method="GET",route="/users/:id",status="200"}'), n);
    assert.equal(await sample(r, 'http_response_size_bytes_count{method="GET",route="/users/:id",status="200"}'), n);
    assert.equal(await sample(r, 'http_response_size_bytes_sum{method="GET",route="/users/:id",status="200"}'), 10 * n);
    assert.equal(await sample(r, 'http_requests_in_flight'), 0);
    // A second read adds nothing twice.
    assert.equal(await sample(r, COUNT), n);
  }
});

test('the in-flight gauge and the slow-request hook see an end at once, not at the batch', async () => {
  const r = new Registry();
  const http = new HttpMetrics(r);
  const slow: string[] = [];
  http.onSlow(0, (done) => slow.push(`${done.method} ${done.route} ${done.status}`));
  const t0 = http.begin();
  assert.equal(http.inFlight.value, 1);
  http.end(t0 - 5, http.route('/slow'), 'POST', 503, 12, -1);
  assert.equal(http.inFlight.value, 0);
  assert.deepEqual(slow, ['POST /slow 503']);
  assert.equal(await sample(r, 'http_request_size_bytes_sum{method="POST",route="/slow"}'), 12);
});

test('JSON reads and resets see the waiting ends too; a reset drops them', async () => {
  const r = new Registry();
  const http = new HttpMetrics(r);
  serve(http, 3, 404);
  const json = await r.getMetricsAsJSON();
  const total = json.find((m) => m.name === 'http_requests_total')!;
  assert.deepEqual(
    total.values.map((v) => [v.labels.status, v.value]),
    [['404', 3]],
  );
  serve(http, 5);
  r.resetMetrics();
  assert.equal(await sample(r, COUNT), undefined);
  serve(http, 2);
  assert.equal(await sample(r, COUNT), 2);
});

test('durations: a request ended 20 ms after it began lands in the 25 ms bucket, not the 10 ms one', async () => {
  const r = new Registry();
  const http = new HttpMetrics(r);
  const rs = http.route('/wait');
  const t0 = http.begin();
  const until = monotonicMs() + 20;
  while (monotonicMs() < until);
  http.end(t0, rs, 'GET', 200, -1, -1);
  const base = 'http_request_duration_seconds_bucket{le="%",method="GET",route="/wait",status="200"}';
  assert.equal(await sample(r, base.replace('%', '0.01')), 0);
  assert.equal(await sample(r, base.replace('%', '0.025')), 1);
});

test('the monotonic clock counts milliseconds', () => {
  const a = monotonicMs();
  const wall = Date.now();
  while (Date.now() - wall < 30);
  const elapsed = monotonicMs() - a;
  assert.ok(elapsed >= 29 && elapsed < 1000, `${elapsed} ms`);
});
