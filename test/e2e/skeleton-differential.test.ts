// Must-show 3 of the walking skeleton: Debian's prometheus (2.42) and Vigil
// scrape the same targets — Debian's prometheus-node-exporter and a
// prom-client app — for about 30 s, then the series, label names, `up` and
// the JSON shape of query answers must agree. Vigil follows Prometheus 3.x
// where 2.42 differs; each such difference is applied to 2.42's answer by a
// named function below, so anything else still fails the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiGet, labelsKey, type ApiAnswer, type Metric } from './helpers/prom-api.ts';
import { startPromClientApp } from './helpers/prom-client-app.ts';
import { freePort, startProcess, waitFor, waitForUrl, type Child } from './helpers/process.ts';
import { startVigilProcess, type VigilProcess } from './helpers/vigil-process.ts';

const PROMETHEUS = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
const NODE_EXPORTER = process.env.NODE_EXPORTER_PATH ?? '/usr/bin/prometheus-node-exporter';
const available = spawnSync(PROMETHEUS, ['--version']).status === 0 && spawnSync(NODE_EXPORTER, ['--version']).status === 0;
const SCRAPE_SECONDS = 30;

// ---------------------------------------------------------------------------
// Known differences between Prometheus 2.42 and 3.x that Vigil follows.

/**
 * Prometheus 3.0 stores classic histogram `le` and summary `quantile` label
 * values in canonical float form (`1` → `1.0`, `0` → `0.0`) whatever the
 * exposition wrote; 2.42 keeps the text as scraped. This formats a value as
 * 3.x's `formatOpenMetricsFloat` (Go's `%v`, then `.0` if integral).
 */
function prom3CanonicalFloat(v: string): string {
  const f = Number(v);
  if (v === '' || Number.isNaN(f)) return v;
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const exp = f === 0 ? 0 : Math.floor(Math.log10(Math.abs(f)));
  // Go's %v switches to an exponent below 1e-4 (JS only below 1e-6), with at least two exponent digits.
  let s = exp < -4 || exp >= 21 ? f.toExponential().replace(/e([+-])(\d)$/, 'e$10$2') : String(f);
  if (!/[.e]/.test(s)) s += '.0';
  return s;
}

/** 2.42's label set as 3.x would store it (see {@link prom3CanonicalFloat}). */
function asProm3(m: Metric): Metric {
  const out = { ...m };
  if (out.le !== undefined && (out.__name__ ?? '').endsWith('_bucket')) out.le = prom3CanonicalFloat(out.le);
  if (out.quantile !== undefined) out.quantile = prom3CanonicalFloat(out.quantile);
  return out;
}

// ---------------------------------------------------------------------------

/** The JSON shape of a value: types and keys, with array elements' distinct shapes. */
function shape(x: unknown): unknown {
  if (Array.isArray(x)) {
    // A sample pair keeps its positional types; other arrays list their distinct element shapes.
    if (x.length === 2 && typeof x[0] === 'number' && typeof x[1] === 'string') return ['number', 'string'];
    const distinct = new Map<string, unknown>();
    for (const e of x) {
      const s = shape(e);
      distinct.set(JSON.stringify(s), s);
    }
    return [...distinct.values()];
  }
  if (x !== null && typeof x === 'object') {
    const m = x as Record<string, unknown>;
    // Label values are data, but which labels a series has is shape.
    return Object.fromEntries(Object.keys(m).sort().map((k) => [k, shape(m[k])]));
  }
  return x === null ? 'null' : typeof x;
}

function diffSets(what: string, prom: Iterable<string>, vigil: Iterable<string>): string[] {
  const p = new Set(prom);
  const v = new Set(vigil);
  const onlyProm = [...p].filter((k) => !v.has(k));
  const onlyVigil = [...v].filter((k) => !p.has(k));
  const out: string[] = [];
  if (onlyProm.length) out.push(`${what}: only in prometheus (${onlyProm.length}): ${onlyProm.slice(0, 8).join(' ')}`);
  if (onlyVigil.length) out.push(`${what}: only in vigil (${onlyVigil.length}): ${onlyVigil.slice(0, 8).join(' ')}`);
  return out;
}

type Result = { resultType: string; result: unknown };

/** The label sets in a query result, 2.42's mapped through the known differences. */
function resultLabelSets(data: Result | undefined, fromProm: boolean): string[] {
  if (!data || !Array.isArray(data.result) || (data.resultType !== 'vector' && data.resultType !== 'matrix')) return [];
  return (data.result as Array<{ metric: Metric }>).map((s) => labelsKey(fromProm ? asProm3(s.metric) : s.metric));
}

// Instant and range queries over both targets; `shape` also covers the error envelope.
const QUERIES: Array<{ query: string; range?: true }> = [
  { query: 'up' },
  { query: 'up', range: true },
  { query: 'app_requests_total' },
  { query: 'sum by (route) (rate(app_requests_total[10s]))' },
  { query: 'sum by (route) (rate(app_requests_total[10s]))', range: true },
  { query: 'app_request_duration_seconds_bucket{route="/api/users"}' },
  { query: 'histogram_quantile(0.9, sum by (le) (rate(app_request_duration_seconds_bucket[10s])))' },
  { query: 'app_payload_bytes' },
  { query: 'node_load1' },
  { query: 'count by (job) ({__name__=~".+"})' },
  { query: 'rate(node_cpu_seconds_total{mode="idle"}[10s])', range: true },
  { query: 'app_inflight_requests[5s]' },
  { query: 'scalar(sum(up))' },
  { query: '1 + 1' },
  { query: '"text"' },
  { query: 'sum(' },
  { query: 'rate(up)' },
];

test('Vigil and Debian prometheus agree on series, labels, up and query shapes after scraping the same targets', { skip: !available && 'prometheus or prometheus-node-exporter not installed', timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-differential-'));
  const children: Child[] = [];
  let vigil: VigilProcess | undefined;
  const app = await startPromClientApp();
  try {
    const nodePort = await freePort();
    const node = startProcess('node-exporter', NODE_EXPORTER, [
      `--web.listen-address=127.0.0.1:${nodePort}`,
      // A fixed, quick set of collectors whose series do not come and go within a minute.
      '--collector.disable-defaults',
      ...['cpu', 'loadavg', 'meminfo', 'stat', 'time', 'uname', 'vmstat'].map((c) => `--collector.${c}`),
    ]);
    children.push(node);
    await waitForUrl(`http://127.0.0.1:${nodePort}/metrics`, 15_000, node);

    const config = [
      'global:',
      // 2 s rather than 1 s: on a busy CI machine a 1 s timeout can fail one
      // server's scrape and not the other's, and `up` would differ for that reason.
      '  scrape_interval: 2s',
      '  scrape_timeout: 2s',
      'scrape_configs:',
      '  - job_name: node',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${nodePort}']`,
      '  - job_name: app',
      '    static_configs:',
      `      - targets: ['${new URL(app.url).host}']`,
      '',
    ].join('\n');
    const configFile = join(dir, 'prometheus.yml');
    writeFileSync(configFile, config);

    const promPort = await freePort();
    const prom = startProcess('prometheus', PROMETHEUS, [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ]);
    children.push(prom);
    vigil = await startVigilProcess({ configFile, storagePath: join(dir, 'vigil'), port: await freePort() });
    const promUrl = `http://127.0.0.1:${promPort}`;
    const vigilUrl = vigil.url;
    await waitForUrl(`${promUrl}/-/ready`, 30_000, prom);
    const started = Date.now() / 1000;
    const servers = { prometheus: promUrl, vigil: vigilUrl };

    for (const [name, base] of Object.entries(servers)) {
      await waitFor(
        async () => {
          const r = await apiGet<{ result: Array<{ value: [number, string] }> }>(base, '/api/v1/query', { query: 'up == 1' });
          return r.body.data.result.length === 2;
        },
        20_000,
        `${name} to have scraped both targets`,
      );
    }
    const remaining = started + SCRAPE_SECONDS - Date.now() / 1000;
    if (remaining > 0) await new Promise((r) => setTimeout(r, remaining * 1000));

    // One evaluation time for both, a little in the past so both have scraped up to it.
    const t = Math.floor(Date.now() / 1000) - 2;
    const window = { start: String(started - 60), end: String(t) };
    const problems: string[] = [];

    // /api/v1/series over both jobs.
    const match = ['{job="node"}', '{job="app"}'];
    const [pSeries, vSeries] = await Promise.all([
      apiGet<Metric[]>(promUrl, '/api/v1/series', { 'match[]': match, ...window }),
      apiGet<Metric[]>(vigilUrl, '/api/v1/series', { 'match[]': match, ...window }),
    ]);
    assert.equal(vSeries.body.status, 'success', JSON.stringify(vSeries.body));
    assert.ok(pSeries.body.data.length > 200, `node exporter and the app should give hundreds of series, prometheus has ${pSeries.body.data.length}`);
    problems.push(...diffSets('series', pSeries.body.data.map((m) => labelsKey(asProm3(m))), vSeries.body.data.map(labelsKey)));
    // The difference the mapping stands for must really be there, or the mapping hides nothing and can go.
    assert.ok(
      pSeries.body.data.some((m) => m.le === '1') && vSeries.body.data.some((m) => m.le === '1.0') && !vSeries.body.data.some((m) => m.le === '1'),
      'expected prometheus 2.42 to keep le="1" and Vigil to store le="1.0"',
    );

    // /api/v1/labels, all and restricted to the app.
    const labelParams: Array<Record<string, string>> = [window, { ...window, 'match[]': '{job="app"}' }];
    for (const params of labelParams) {
      const [p, v] = await Promise.all([apiGet<string[]>(promUrl, '/api/v1/labels', params), apiGet<string[]>(vigilUrl, '/api/v1/labels', params)]);
      assert.equal(v.body.status, 'success');
      if (JSON.stringify(p.body.data) !== JSON.stringify(v.body.data)) problems.push(`labels ${JSON.stringify(params['match[]'] ?? '')}: prometheus ${JSON.stringify(p.body.data)} vigil ${JSON.stringify(v.body.data)}`);
    }

    // Label values: metric names and jobs as they are, `le` through the known difference.
    for (const name of ['__name__', 'job', 'le']) {
      const [p, v] = await Promise.all([apiGet<string[]>(promUrl, `/api/v1/label/${name}/values`, window), apiGet<string[]>(vigilUrl, `/api/v1/label/${name}/values`, window)]);
      assert.equal(v.body.status, 'success');
      const expected = name === 'le' ? [...new Set(p.body.data.map(prom3CanonicalFloat))].sort() : p.body.data;
      if (JSON.stringify(expected) !== JSON.stringify(v.body.data)) problems.push(`label ${name} values: prometheus ${JSON.stringify(expected)} vigil ${JSON.stringify(v.body.data)}`);
    }

    // up: the same targets, all up.
    const [pUp, vUp] = await Promise.all([
      apiGet<{ result: Array<{ metric: Metric; value: [number, string] }> }>(promUrl, '/api/v1/query', { query: 'up', time: String(t) }),
      apiGet<{ result: Array<{ metric: Metric; value: [number, string] }> }>(vigilUrl, '/api/v1/query', { query: 'up', time: String(t) }),
    ]);
    const upOf = (a: typeof pUp) => a.body.data.result.map((r) => `${labelsKey(r.metric)}=${r.value[1]}`).sort();
    assert.deepEqual(upOf(vUp), upOf(pUp), 'up');
    assert.equal(upOf(vUp).length, 2);

    // Query answers: status code, envelope, result type, JSON shape and label sets.
    for (const q of QUERIES) {
      const path = q.range ? '/api/v1/query_range' : '/api/v1/query';
      const params: Record<string, string> = q.range ? { query: q.query, start: String(t - 20), end: String(t), step: '2' } : { query: q.query, time: String(t) };
      const [p, v] = (await Promise.all([apiGet<Result>(promUrl, path, params), apiGet<Result>(vigilUrl, path, params)])) as [ApiAnswer<Result>, ApiAnswer<Result>];
      const label = `${q.range ? 'query_range' : 'query'} ${q.query}`;
      if (p.httpStatus !== v.httpStatus) problems.push(`${label}: HTTP ${p.httpStatus} vs ${v.httpStatus}`);
      const { error: _pe, ...pBody } = p.body;
      const { error: _ve, ...vBody } = v.body;
      if (JSON.stringify(shape(pBody)) !== JSON.stringify(shape(vBody))) {
        problems.push(`${label}: shape differs\n  prometheus ${JSON.stringify(shape(pBody))}\n  vigil      ${JSON.stringify(shape(vBody))}`);
      }
      if (p.body.errorType !== v.body.errorType) problems.push(`${label}: errorType ${p.body.errorType} vs ${v.body.errorType}`);
      if (p.body.data?.resultType !== v.body.data?.resultType) problems.push(`${label}: resultType ${p.body.data?.resultType} vs ${v.body.data?.resultType}`);
      problems.push(...diffSets(label, resultLabelSets(p.body.data, true), resultLabelSets(v.body.data, false)));
    }
    assert.deepEqual(problems, []);
  } finally {
    await vigil?.stop('SIGTERM');
    for (const c of children.reverse()) await c.stop('SIGTERM');
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
