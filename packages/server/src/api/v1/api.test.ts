import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { labelsFromObject } from '@vigil/core';
import { astJSON, createEngine, formatExpr, parseExpr, parseSelector } from '../../promql/index.ts';
import { MemoryStorage } from '../../testutil/index.ts';
import { registerApiV1 } from './index.ts';

async function serve() {
  const storage = new MemoryStorage();
  const app = storage.appender();
  for (let i = 0; i <= 10; i++) {
    app.append(0, labelsFromObject({ __name__: 'http_requests_total', job: 'api', route: '/a' }), i * 15_000, i * 3);
    app.append(0, labelsFromObject({ __name__: 'http_requests_total', job: 'api', route: '/b' }), i * 15_000, i);
  }
  await app.commit();
  const web = Fastify();
  await web.register(formbody);
  registerApiV1(web, {
    engine: createEngine(),
    queryable: storage,
    parseSelector,
    formatQuery: (q) => formatExpr(parseExpr(q)),
    parseQuery: (q) => astJSON(parseExpr(q)),
    now: () => 150_000,
    lookbackDelta: 300_000,
    targets: () => ({ activeTargets: [], droppedTargets: [] }),
    targetMetadata: () => [],
    configYAML: () => 'global: {}\n',
    flags: () => ({ 'query.lookback-delta': '5m' }),
    buildInfo: { version: '0.0.0', revision: 'r', branch: 'b', buildUser: 'u', buildDate: 'd', goVersion: 'node' },
    runtimeInfo: () => ({}),
    alertmanagers: () => ({ activeAlertmanagers: [], droppedAlertmanagers: [] }),
  });
  await web.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(web.server.address() as { port: number }).port}`;
  return { url, close: () => web.close() };
}

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

// The values are what Prometheus's extrapolatedRate gives in float64: increase 9 over
// 45 s, extended 15 s to the window start, factor (45+15)/45/60, then 9 * factor.
test('query and query_range answer with Prometheus shapes, GET and form POST alike', async () => {
  const s = await serve();
  try {
    const q = encodeURIComponent('sum by (route) (rate(http_requests_total[1m]))');
    const inst = await get(`${s.url}/api/v1/query?query=${q}&time=150`);
    assert.equal(inst.status, 200);
    assert.deepEqual(inst.body, {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { route: '/a' }, value: [150, '0.19999999999999998'] },
          { metric: { route: '/b' }, value: [150, '0.06666666666666665'] },
        ],
      },
    });
    const post = await fetch(`${s.url}/api/v1/query_range`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${q}&start=120&end=150&step=15`,
    });
    const range = (await post.json()) as { data: { resultType: string; result: Array<{ values: unknown[] }> } };
    assert.equal(range.data.resultType, 'matrix');
    assert.equal(range.data.result[0]!.values.length, 3);
  } finally {
    await s.close();
  }
});

test('errors use Prometheus errorType and status codes', async () => {
  const s = await serve();
  try {
    const bad = await get(`${s.url}/api/v1/query?query=${encodeURIComponent('sum(')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errorType, 'bad_data');
    assert.match(String(bad.body.error), /^invalid parameter "query": 1:5: parse error: /);
    const exec = await get(`${s.url}/api/v1/query?query=${encodeURIComponent('http_requests_total / ignoring(route) http_requests_total')}&time=150`);
    assert.equal(exec.status, 422);
    assert.equal(exec.body.errorType, 'execution');
    const step = await get(`${s.url}/api/v1/query_range?query=up&start=10&end=20&step=0`);
    assert.equal(step.status, 400);
    assert.match(String(step.body.error), /zero or negative query resolution step widths are not accepted/);
    const noMatch = await get(`${s.url}/api/v1/series`);
    assert.deepEqual(noMatch.body, { status: 'error', errorType: 'bad_data', error: 'no match[] parameter provided' });
  } finally {
    await s.close();
  }
});

test('series, labels, label values and format_query', async () => {
  const s = await serve();
  try {
    const series = await get(`${s.url}/api/v1/series?match[]=${encodeURIComponent('http_requests_total{route="/b"}')}`);
    assert.deepEqual(series.body.data, [{ __name__: 'http_requests_total', job: 'api', route: '/b' }]);
    assert.deepEqual((await get(`${s.url}/api/v1/labels`)).body.data, ['__name__', 'job', 'route']);
    const limited = await get(`${s.url}/api/v1/label/route/values?limit=1`);
    assert.deepEqual(limited.body, { status: 'success', data: ['/a'], warnings: ['results truncated due to limit'] });
    const fmt = await get(`${s.url}/api/v1/format_query?query=${encodeURIComponent('sum(rate(x{a="b"}[5m]))by(job)')}`);
    assert.deepEqual(fmt.body, { status: 'success', data: 'sum by (job) (rate(x{a="b"}[5m]))' });
  } finally {
    await s.close();
  }
});

test('parse_query answers the AST in Prometheus\'s JSON shape', async () => {
  const s = await serve();
  try {
    const q = 'sum by (job) (rate(x{a="b"}[5m] @ end())) / on (job) group_left max(y offset 1m) > bool 1e21';
    const res = await get(`${s.url}/api/v1/parse_query?query=${encodeURIComponent(q)}`);
    const sel = (name: string, extra: Record<string, unknown>, matchers: unknown[]) => ({ name, offset: 0, matchers, timestamp: null, startOrEnd: null, anchored: false, smoothed: false, ...extra });
    assert.deepEqual(res.body, {
      status: 'success',
      data: {
        type: 'binaryExpr',
        op: '>',
        bool: true,
        matching: null,
        rhs: { type: 'numberLiteral', val: '1000000000000000000000' },
        lhs: {
          type: 'binaryExpr',
          op: '/',
          bool: false,
          matching: { card: 'many-to-one', labels: ['job'], on: true, include: [], fillValues: { lhs: null, rhs: null } },
          lhs: {
            type: 'aggregation',
            op: 'sum',
            param: null,
            grouping: ['job'],
            without: false,
            expr: {
              type: 'call',
              func: { name: 'rate', argTypes: ['matrix'], variadic: 0, returnType: 'vector' },
              args: [
                {
                  type: 'matrixSelector',
                  ...sel('x', { range: 300000, startOrEnd: 'end' }, [
                    { name: 'a', value: 'b', type: '=' },
                    { name: '__name__', value: 'x', type: '=' },
                  ]),
                },
              ],
            },
          },
          rhs: { type: 'aggregation', op: 'max', param: null, grouping: [], without: false, expr: { type: 'vectorSelector', ...sel('y', { offset: 60000 }, [{ name: '__name__', value: 'y', type: '=' }]) } },
        },
      },
    });
    const bad = await get(`${s.url}/api/v1/parse_query?query=${encodeURIComponent('sum(')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errorType, 'bad_data');
  } finally {
    await s.close();
  }
});
