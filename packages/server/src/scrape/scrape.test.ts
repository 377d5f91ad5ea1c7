import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matcher, labelsToObject, silentLogger } from '@vigil/core';
import { Registry } from 'prom-client';
import { parseConfig, type PrometheusConfig } from '../config/index.ts';
import { createMemoryStorage, type MemoryStorage } from '../testutil/index.ts';
import { isStaleNaN } from '../storage/index.ts';
import { compileRelabel } from '../model/relabel/index.ts';
import { targetsFromGroups } from './target.ts';
import { ScrapeLoop, scrapeOffset } from './loop.ts';
import { ScrapeMetrics } from './metrics.ts';
import { ScrapeManager } from './manager.ts';
import { acceptHeader } from './fetch.ts';

const openMetricsBody = readFileSync(new URL('./testdata/openmetrics.txt', import.meta.url), 'utf8');

type Handler = (req: IncomingMessage) => { status?: number; headers?: Record<string, string>; body: string | Buffer; delayMs?: number };

async function serve(handler: Handler): Promise<{ server: Server; addr: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    const r = handler(req);
    const send = () => {
      res.writeHead(r.status ?? 200, { 'content-type': 'text/plain; version=0.0.4', ...r.headers });
      res.end(r.body);
    };
    if (r.delayMs) setTimeout(send, r.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, addr: `127.0.0.1:${(server.address() as { port: number }).port}`, requests };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function read(db: MemoryStorage, name: string) {
  const q = await db.querier(-Infinity, Infinity);
  const set = await q.select(true, undefined, new Matcher('=', '__name__', name));
  q.close();
  return set.series.map((s) => {
    const it = s.iterator();
    const vs: Array<number | 'stale'> = [];
    const ts: number[] = [];
    while (it.next()) {
      vs.push(isStaleNaN(it.v) ? 'stale' : it.v);
      ts.push(it.t);
    }
    return { labels: labelsToObject(s.labels), vs, ts };
  });
}

function loopFor(yaml: string, db: MemoryStorage, httpTimeout?: number): ScrapeLoop {
  const cfg = parseConfig(yaml, '<test>').scrape_configs[0]!;
  const groups = cfg.static_configs.map((s, i) => ({ source: `${i}`, labels: s.labels, targets: s.targets.map((t) => ({ __address__: t })) }));
  const { active } = targetsFromGroups(cfg, compileRelabel(cfg.relabel_configs), groups);
  return new ScrapeLoop(active[0]!, cfg, compileRelabel(cfg.metric_relabel_configs), {
    appendable: db,
    logger: silentLogger(),
    metrics: new ScrapeMetrics(new Registry()),
    now: Date.now,
    httpTimeout,
  });
}

test('Accept header follows scrape_protocols with Prometheus weights', () => {
  assert.equal(
    acceptHeader(['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4']),
    'application/openmetrics-text;version=1.0.0;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
  );
  assert.equal(acceptHeader(['PrometheusText0.0.4']), 'text/plain;version=0.0.4;q=0.6,*/*;q=0.5');
});

test('scrape offsets are stable per target, within the interval, and spread targets out', () => {
  const a = scrapeOffset('http://a/metrics', 15_000, 1_000_000);
  assert.equal(a, scrapeOffset('http://a/metrics', 15_000, 1_000_000));
  const offsets = new Set<number>();
  for (let i = 0; i < 50; i++) {
    const o = scrapeOffset(`http://host-${i}:9100/metrics`, 15_000, 1_000_000);
    assert.ok(o >= 0 && o <= 15_000);
    // The phase (absolute time of the first scrape modulo the interval) does not depend on when the loop starts.
    assert.equal((1_000_000 + o) % 15_000, (1_003_333 + scrapeOffset(`http://host-${i}:9100/metrics`, 15_000, 1_003_333)) % 15_000);
    offsets.add(Math.floor(o / 1500));
  }
  assert.ok(offsets.size >= 8, `50 targets land in ${offsets.size} of 10 slices`);
  // Two servers (different hostname or external labels) scrape the same target at different phases.
  assert.notEqual(scrapeOffset('http://a/metrics', 15_000, 0, 'server-1'), scrapeOffset('http://a/metrics', 15_000, 0, 'server-2'));
});

test('OpenMetrics is negotiated, gzip is accepted, and basic auth is sent', async () => {
  const { server, addr, requests } = await serve((req) =>
    req.headers.authorization === `Basic ${Buffer.from('u:p').toString('base64')}`
      ? { headers: { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8', 'content-encoding': 'gzip' }, body: gzipSync(openMetricsBody) }
      : { status: 401, body: 'no' },
  );
  const db = createMemoryStorage();
  try {
    const loop = loopFor(`scrape_configs:\n  - job_name: om\n    basic_auth: {username: u, password: p}\n    static_configs: [{targets: ['${addr}']}]\n`, db);
    await loop.scrapeOnce(2_000_000);
    assert.equal(loop.target.lastError, '');
    assert.match(String(requests[0]!.headers.accept), /^application\/openmetrics-text;version=1\.0\.0;q=0\.6/);
    assert.equal(requests[0]!.headers['accept-encoding'], 'gzip');
    const buckets = await read(db, 'http_request_duration_seconds_bucket');
    assert.deepEqual(
      buckets.map((b) => [b.labels.le, b.vs[0]]),
      [
        ['+Inf', 6],
        ['0.1', 3],
        ['1.0', 5],
      ],
    );
    assert.deepEqual(loop.metadata.get('http_request_duration_seconds'), { type: 'histogram', help: 'Request latency.', unit: 'seconds' });
  } finally {
    await close(server);
  }
});

test('a slow target fails with the scrape timeout and its series go stale', async () => {
  let delayMs = 0;
  const { server, addr } = await serve(() => ({ body: 'm 1\n', delayMs }));
  const db = createMemoryStorage();
  try {
    const loop = loopFor(`scrape_configs:\n  - job_name: slow\n    scrape_interval: 1s\n    scrape_timeout: 1s\n    static_configs: [{targets: ['${addr}']}]\n`, db, 400);
    await loop.scrapeOnce(1_000);
    delayMs = 2000;
    await loop.scrapeOnce(2_000);
    assert.equal(loop.target.health, 'down');
    assert.equal(loop.target.lastError, 'context deadline exceeded (scrape timeout 0.4s)');
    assert.deepEqual((await read(db, 'm'))[0]!.vs, [1, 'stale']);
    assert.deepEqual((await read(db, 'up'))[0]!.vs, [1, 0]);
  } finally {
    await close(server);
  }
});

test('sample_limit and label_limit fail the scrape and store nothing from it', async () => {
  const { server, addr } = await serve(() => ({ body: 'a{x="1"} 1\na{x="2"} 2\na{x="3"} 3\n' }));
  const db = createMemoryStorage();
  try {
    const over = loopFor(`scrape_configs:\n  - job_name: lim\n    sample_limit: 2\n    static_configs: [{targets: ['${addr}']}]\n`, db);
    await over.scrapeOnce(1_000);
    assert.equal(over.target.lastError, 'sample limit exceeded (3 samples, limit 2)');
    assert.deepEqual(await read(db, 'a'), []);
    assert.deepEqual((await read(db, 'scrape_samples_scraped'))[0]!.vs, [3]);
    const db2 = createMemoryStorage();
    const labels = loopFor(`scrape_configs:\n  - job_name: lim\n    label_limit: 2\n    static_configs: [{targets: ['${addr}']}]\n`, db2);
    await labels.scrapeOnce(1_000);
    assert.equal(labels.target.lastError, 'label_limit exceeded (metric: a, number of labels: 3, limit: 2)');
    // Relabelling runs before the limit: dropping all but one series brings the scrape under sample_limit.
    const db3 = createMemoryStorage();
    const relabelled = loopFor(
      `scrape_configs:\n  - job_name: lim\n    sample_limit: 1\n    metric_relabel_configs: [{source_labels: [x], regex: '1', action: keep}]\n    static_configs: [{targets: ['${addr}']}]\n`,
      db3,
    );
    await relabelled.scrapeOnce(1_000);
    assert.equal(relabelled.target.lastError, '');
    assert.deepEqual((await read(db3, 'scrape_samples_post_metric_relabeling'))[0]!.vs, [1]);
  } finally {
    await close(server);
  }
});

test('honor_timestamps uses exposed timestamps; such series are not marked stale unless track_timestamps_staleness', async () => {
  let body = 'with_ts 1 1500\nplain 2\n';
  const { server, addr } = await serve(() => ({ body }));
  try {
    for (const track of [false, true]) {
      const db = createMemoryStorage();
      body = 'with_ts 1 1500\nplain 2\n';
      const loop = loopFor(`scrape_configs:\n  - job_name: ts\n    track_timestamps_staleness: ${track}\n    static_configs: [{targets: ['${addr}']}]\n`, db);
      await loop.scrapeOnce(2_000);
      body = '';
      await loop.scrapeOnce(3_000);
      const withTs = (await read(db, 'with_ts'))[0]!;
      assert.deepEqual(withTs.ts[0], 1500);
      assert.deepEqual(withTs.vs, track ? [1, 'stale'] : [1]);
      assert.deepEqual((await read(db, 'plain'))[0]!.vs, [2, 'stale']);
    }
    const db = createMemoryStorage();
    body = 'with_ts 1 1500\n';
    const ignoring = loopFor(`scrape_configs:\n  - job_name: ts\n    honor_timestamps: false\n    static_configs: [{targets: ['${addr}']}]\n`, db);
    await ignoring.scrapeOnce(2_000);
    assert.deepEqual((await read(db, 'with_ts'))[0]!.ts, [2_000]);
  } finally {
    await close(server);
  }
});

test('a target removed by a reload gets staleness markers; unchanged targets keep their loop', async () => {
  const a = await serve(() => ({ body: 'ma 1\n' }));
  const b = await serve(() => ({ body: 'mb 1\n' }));
  const db = createMemoryStorage();
  const mgr = new ScrapeManager({ appendable: db, registry: new Registry() });
  const config = (targets: string[]): PrometheusConfig =>
    parseConfig(`global: {scrape_interval: 100ms}\nscrape_configs:\n  - job_name: j\n    static_configs: [{targets: [${targets.map((t) => `'${t}'`).join(', ')}]}]\n`, '<test>');
  try {
    await mgr.applyConfig(config([a.addr, b.addr]));
    await mgr.start();
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && mgr.targets().activeTargets.some((t) => t.health === 'unknown')) await new Promise((r) => setTimeout(r, 20));
    const before = a.requests.length;
    await mgr.applyConfig(config([a.addr]));
    assert.deepEqual(
      mgr.targets().activeTargets.map((t) => t.labels.instance),
      [a.addr],
    );
    const mb = (await read(db, 'mb'))[0]!;
    assert.equal(mb.vs.at(-1), 'stale', 'the removed target’s series end with a staleness marker');
    const upB = (await read(db, 'up')).find((s) => s.labels.instance === b.addr)!;
    assert.equal(upB.vs.at(-1), 'stale');
    const until = Date.now() + 5000;
    while (Date.now() < until && a.requests.length <= before) await new Promise((r) => setTimeout(r, 20));
    assert.ok(a.requests.length > before, 'the kept target is still scraped');
    assert.notEqual(mgr.targets().activeTargets[0]!.lastScrape, '0001-01-01T00:00:00Z');
  } finally {
    await mgr.stop();
    await close(a.server);
    await close(b.server);
  }
});

test('honor_labels keeps exposed labels; the series cache treats reordered label text as one series', async () => {
  let body = 'm{job="exposed",b="1",a="2"} 1\nm{a="2",b="1",job="exposed"} 9\n';
  const { server, addr } = await serve(() => ({ body }));
  const db = createMemoryStorage();
  try {
    const loop = loopFor(`scrape_configs:\n  - job_name: honor\n    honor_labels: true\n    static_configs: [{targets: ['${addr}']}]\n`, db);
    await loop.scrapeOnce(1_000);
    body = 'm{a="2",b="1",job="exposed"} 2\n';
    await loop.scrapeOnce(2_000);
    const m = await read(db, 'm');
    assert.equal(m.length, 1);
    assert.deepEqual(m[0]!.labels, { __name__: 'm', a: '2', b: '1', instance: addr, job: 'exposed' });
    // The first occurrence wins within a scrape; the reordered text is the same series, not a new one or a stale one.
    assert.deepEqual(m[0]!.vs, [1, 2]);
    assert.deepEqual((await read(db, 'scrape_series_added'))[0]!.vs, [1, 0]);
    // A body that breaks on a value of a cached series still fails with its position.
    body = 'm{a="2",b="1",job="exposed"} x\n';
    await loop.scrapeOnce(3_000);
    assert.equal(loop.target.lastError, 'parse error: invalid value "x" at line 1, byte offset 29');
  } finally {
    await close(server);
  }
});

test('target_limit fails every target of the job; a refused connection names the URL', async () => {
  const a = await serve(() => ({ body: 'm 1\n' }));
  // A port that was just free: nothing listens there.
  const gone = await serve(() => ({ body: '' }));
  await close(gone.server);
  const db = createMemoryStorage();
  const mgr = new ScrapeManager({ appendable: db, registry: new Registry() });
  try {
    await mgr.applyConfig(
      parseConfig(`global: {scrape_interval: 100ms}\nscrape_configs:\n  - job_name: j\n    target_limit: 1\n    static_configs: [{targets: ['${a.addr}', '${gone.addr}']}]\n`, '<test>'),
    );
    await mgr.start();
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && mgr.targets().activeTargets.some((t) => t.health === 'unknown')) await new Promise((r) => setTimeout(r, 20));
    for (const t of mgr.targets().activeTargets) assert.equal(t.lastError, 'target_limit exceeded (number of targets: 2, limit: 1)');
    assert.equal(a.requests.length, 0, 'targets over the limit are not contacted');
    await mgr.applyConfig(parseConfig(`global: {scrape_interval: 100ms}\nscrape_configs:\n  - job_name: j\n    target_limit: 1\n    static_configs: [{targets: ['${gone.addr}']}]\n`, '<test>'));
    const until = Date.now() + 5000;
    while (Date.now() < until && !/ECONNREFUSED/.test(mgr.targets().activeTargets[0]!.lastError)) await new Promise((r) => setTimeout(r, 20));
    assert.equal(mgr.targets().activeTargets[0]!.lastError, `Get "http://${gone.addr}/metrics": connect ECONNREFUSED ${gone.addr}`);
  } finally {
    await mgr.stop();
    await close(a.server);
  }
});

test('targets dropped by relabelling are listed with their discovered labels, capped by keep_dropped_targets', async () => {
  const mgr = new ScrapeManager({ appendable: createMemoryStorage(), registry: new Registry() });
  const yaml = (keep: number) =>
    `scrape_configs:\n  - job_name: d\n    keep_dropped_targets: ${keep}\n    params: {module: [http_2xx]}\n    relabel_configs: [{source_labels: [__address__], regex: 'drop.*', action: drop}]\n    static_configs: [{targets: ['keep:1', 'drop-a:1', 'drop-b:1'], labels: {env: x}}]\n`;
  await mgr.applyConfig(parseConfig(yaml(0), '<test>'));
  let { activeTargets, droppedTargets } = mgr.targets();
  assert.equal(activeTargets.length, 1);
  assert.equal(activeTargets[0]!.scrapeUrl, 'http://keep:1/metrics?module=http_2xx');
  assert.equal(activeTargets[0]!.lastScrape, '0001-01-01T00:00:00Z');
  assert.equal(activeTargets[0]!.health, 'unknown');
  assert.deepEqual(droppedTargets[0], {
    scrapePool: 'd',
    discoveredLabels: {
      __address__: 'drop-a:1',
      __metrics_path__: '/metrics',
      __param_module: 'http_2xx',
      __scheme__: 'http',
      __scrape_interval__: '1m',
      __scrape_timeout__: '10s',
      env: 'x',
      job: 'd',
    },
  });
  assert.equal(droppedTargets.length, 2);
  await mgr.applyConfig(parseConfig(yaml(1), '<test>'));
  ({ activeTargets, droppedTargets } = mgr.targets());
  assert.equal(droppedTargets.length, 1);
  await mgr.stop();
});

test('file_sd targets are scraped and follow the file; a target removed from the file goes stale', async () => {
  const a = await serve(() => ({ body: 'fa 1\n' }));
  const b = await serve(() => ({ body: 'fb 1\n' }));
  const dir = mkdtempSync(join(tmpdir(), 'vigil-scrape-filesd-'));
  const db = createMemoryStorage();
  const mgr = new ScrapeManager({ appendable: db, registry: new Registry() });
  const waitUntil = async (pred: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !pred()) await new Promise((r) => setTimeout(r, 20));
    assert.ok(pred());
  };
  try {
    writeFileSync(join(dir, 'targets.json'), JSON.stringify([{ targets: [a.addr, b.addr], labels: { team: 'core' } }]));
    await mgr.applyConfig(
      parseConfig(`global: {scrape_interval: 100ms}\nscrape_configs:\n  - job_name: f\n    file_sd_configs: [{files: ['${join(dir, '*.json')}']}]\n`, '<test>'),
    );
    await mgr.start();
    await waitUntil(() => mgr.targets().activeTargets.length === 2 && mgr.targets().activeTargets.every((t) => t.health === 'up'));
    assert.equal(mgr.targets().activeTargets[0]!.labels.team, 'core');
    writeFileSync(join(dir, 'targets.json'), JSON.stringify([{ targets: [a.addr], labels: { team: 'core' } }]));
    await waitUntil(() => mgr.targets().activeTargets.length === 1);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await read(db, 'fb'))[0]?.vs.at(-1) !== 'stale') await new Promise((r) => setTimeout(r, 20));
    assert.equal((await read(db, 'fb'))[0]!.vs.at(-1), 'stale');
  } finally {
    await mgr.stop();
    await close(a.server);
    await close(b.server);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a discovered address that cannot form a URL is dropped without affecting the others', () => {
  const cfg = parseConfig('scrape_configs:\n  - job_name: x\n', '<test>').scrape_configs[0]!;
  const { active, dropped } = targetsFromGroups(cfg, [], [
    { source: '0', labels: {}, targets: [{ __address__: 'good:1' }, { __address__: 'bad host:1' }, { __address__: 'http://x:1/metrics' }] },
  ]);
  assert.deepEqual(
    active.map((t) => t.url.href),
    ['http://good:1/metrics'],
  );
  assert.deepEqual(
    dropped.map((d) => d.__address__),
    ['bad host:1', 'http://x:1/metrics'],
  );
});

test('body_size_limit counts the decompressed body; compression can be turned off', async () => {
  const big = 'padding_metric{x="' + 'a'.repeat(5000) + '"} 1\n';
  const { server, addr, requests } = await serve((req) =>
    req.headers['accept-encoding'] === 'gzip' ? { headers: { 'content-encoding': 'gzip' }, body: gzipSync(big) } : { body: big },
  );
  const db = createMemoryStorage();
  try {
    const limited = loopFor(`scrape_configs:\n  - job_name: b\n    body_size_limit: 1KB\n    static_configs: [{targets: ['${addr}']}]\n`, db);
    await limited.scrapeOnce(1_000);
    assert.equal(limited.target.lastError, 'body size limit exceeded: 1024 bytes');
    const plain = loopFor(`scrape_configs:\n  - job_name: b\n    enable_compression: false\n    static_configs: [{targets: ['${addr}']}]\n`, db);
    await plain.scrapeOnce(1_000);
    assert.equal(plain.target.lastError, '');
    assert.equal(requests.at(-1)!.headers['accept-encoding'], 'identity');
  } finally {
    await close(server);
  }
});

test('a body that stalls after the headers fails with the scrape timeout', async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.write('m 1\n');
    // The rest never comes.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const db = createMemoryStorage();
  try {
    const loop = loopFor(`scrape_configs:\n  - job_name: stall\n    scrape_interval: 1s\n    scrape_timeout: 300ms\n    static_configs: [{targets: ['${addr}']}]\n`, db);
    const t0 = Date.now();
    await loop.scrapeOnce(1_000);
    assert.equal(loop.target.lastError, 'context deadline exceeded (scrape timeout 0.3s)');
    assert.ok(Date.now() - t0 < 3000);
    assert.deepEqual(await read(db, 'm'), []);
  } finally {
    await close(server);
  }
});

test('a connection cut in the middle of the body fails the scrape', async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': '1000' });
    res.write('m 1\n');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const db = createMemoryStorage();
  try {
    const loop = loopFor(`scrape_configs:\n  - job_name: cut\n    scrape_interval: 5s\n    scrape_timeout: 5s\n    static_configs: [{targets: ['${addr}']}]\n`, db);
    const t0 = Date.now();
    await loop.scrapeOnce(1_000);
    assert.equal(loop.target.health, 'down');
    assert.match(loop.target.lastError, /^Get "http:\/\/127\.0\.0\.1:\d+\/metrics": /);
    assert.ok(Date.now() - t0 < 4000, 'fails at once, not at the timeout');
  } finally {
    await close(server);
  }
});
