import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo } from './index.ts';

test('demo serves seed-style metrics from its own traffic', async () => {
  const demo = await startDemo({ trafficPerSecond: 200 });
  try {
    let body = '';
    // Wait until the generator has produced every series asserted below
    // (bounded: 20 s; the generator picks one of 8 calls at random per tick,
    // and a loaded machine runs fewer ticks than asked for).
    const wanted = [
      /ai_cost_usd_total\{/,
      /route="\/api\/users\/:id",status="200"/,
      /route="unmatched",status="404"/,
      /cache_hits_total\{/,
      /db_query_duration_seconds_count\{/,
    ];
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      body = await (await fetch(demo.metricsUrl)).text();
      if (wanted.every((re) => re.test(body))) break;
    }
    assert.match(body, /^http_requests_total\{method="GET",route="\/api\/users\/:id",status="200",service="demo-api"\} \d+$/m);
    assert.match(body, /^http_request_duration_seconds_bucket\{le="0\.005",method="(GET|POST)",route="[^"]+",status="\d+",service="demo-api"\} \d+$/m);
    assert.match(body, /^db_query_duration_seconds_count\{service="demo-api",operation="select",table="users"\} [1-9]\d*$/m);
    assert.match(body, /^cache_hits_total\{cache="products",service="demo-api"\} [1-9]/m);
    assert.match(body, /^ai_tokens_used_total\{model="[^"]+",kind="input",service="demo-api"\} [1-9]/m);
    assert.match(body, /^ai_cost_usd_total\{model="[^"]+",service="demo-api"\} [0-9.e-]+$/m);
    assert.match(body, /route="unmatched",status="404"/);
    assert.doesNotMatch(body, /route="\/no-such-page"/);
    assert.doesNotMatch(body, /route="\/metrics"/, 'scrapes are not counted as traffic');
    assert.match(body, /^process_cpu_user_seconds_total/m);

    const om = await fetch(demo.metricsUrl, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    assert.match(om.headers.get('content-type') ?? '', /application\/openmetrics-text/);
    const omBody = await om.text();
    assert.match(omBody, /^# TYPE http_requests counter$/m);
    assert.ok(omBody.endsWith('# EOF\n'));
  } finally {
    await demo.close();
  }
});
