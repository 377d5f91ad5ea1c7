import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matcher, labelsToObject } from '@vigil/core';
import { Registry } from 'prom-client';
import { parseConfig } from '../config/index.ts';
import { openDB } from '../tsdb/index.ts';
import { isStaleNaN } from '../storage/index.ts';
import { compileRelabel } from '../model/relabel/index.ts';
import { targetsFromGroups } from './target.ts';
import { ScrapeLoop } from './loop.ts';
import { ScrapeMetrics } from './metrics.ts';
import { ScrapeManager } from './manager.ts';
import { silentLogger } from '@vigil/core';

async function serveBody(get: () => { status?: number; type?: string; body: string }): Promise<{ server: Server; addr: string }> {
  const server = createServer((_req, res) => {
    const r = get();
    res.writeHead(r.status ?? 200, { 'content-type': r.type ?? 'text/plain; version=0.0.4' });
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, addr: `127.0.0.1:${(server.address() as { port: number }).port}` };
}

async function read(db: Awaited<ReturnType<typeof openDB>>, name: string) {
  const q = await db.querier(-Infinity, Infinity);
  const set = await q.select(true, undefined, new Matcher('=', '__name__', name));
  return set.series.map((s) => {
    const it = s.iterator();
    // Plain arrays canonicalise NaN payloads, so record staleness while the value is fresh.
    const vs: Array<number | 'stale'> = [];
    while (it.next()) vs.push(isStaleNaN(it.v) ? 'stale' : it.v);
    return { labels: labelsToObject(s.labels), vs };
  });
}

test('a scrape stores samples with target labels, synthetic series, staleness and errors with offsets', async () => {
  let body = '# TYPE http_requests_total counter\nhttp_requests_total{route="/a",job="app"} 3\nhttp_requests_total{route="/b"} 5\n';
  const { server, addr } = await serveBody(() => ({ body }));
  const dir = mkdtempSync(join(tmpdir(), 'vigil-scrape-'));
  const db = await openDB({ dir });
  try {
    const cfg = parseConfig(
      `scrape_configs:\n  - job_name: api\n    static_configs:\n      - targets: ['${addr}']\n        labels: {env: test}\n    metric_relabel_configs:\n      - action: drop\n        source_labels: [route]\n        regex: /drop.*\n`,
      '<test>',
    ).scrape_configs[0]!;
    const { active } = targetsFromGroups(cfg, compileRelabel(cfg.relabel_configs), [
      { source: '0', labels: { env: 'test' }, targets: [{ __address__: addr }] },
    ]);
    const loop = new ScrapeLoop(active[0]!, cfg, compileRelabel(cfg.metric_relabel_configs), {
      appendable: db,
      logger: silentLogger(),
      metrics: new ScrapeMetrics(new Registry()),
      now: Date.now,
    });
    await loop.scrapeOnce(1_000_000);
    let reqs = await read(db, 'http_requests_total');
    assert.deepEqual(
      reqs.map((r) => r.labels),
      [
        { __name__: 'http_requests_total', env: 'test', exported_job: 'app', instance: addr, job: 'api', route: '/a' },
        { __name__: 'http_requests_total', env: 'test', instance: addr, job: 'api', route: '/b' },
      ],
    );
    assert.deepEqual((await read(db, 'up'))[0]!.vs, [1]);
    assert.deepEqual((await read(db, 'scrape_samples_scraped'))[0]!.vs, [2]);
    assert.deepEqual((await read(db, 'scrape_series_added'))[0]!.vs, [2]);

    // /b disappears and a dropped series appears: /b gets a staleness marker.
    body = 'http_requests_total{route="/a",job="app"} 4\nhttp_requests_total{route="/drop-me"} 1\n';
    await loop.scrapeOnce(1_015_000);
    reqs = await read(db, 'http_requests_total');
    assert.equal(reqs.length, 2);
    assert.deepEqual(reqs[0]!.vs, [3, 4]);
    assert.equal(reqs[1]!.vs.length, 2);
    assert.equal(reqs[1]!.vs[1], 'stale', '/b is marked stale');
    assert.deepEqual((await read(db, 'scrape_samples_post_metric_relabeling'))[0]!.vs, [2, 1]);

    // A malformed body fails the scrape, names the offset, and marks everything stale.
    body = 'http_requests_total{route="/a" 4\n';
    await loop.scrapeOnce(1_030_000);
    assert.equal(loop.target.health, 'down');
    assert.match(loop.target.lastError, /parse error: expected ',' or '}' after label "route" at line 1, byte offset 31/);
    assert.deepEqual((await read(db, 'up'))[0]!.vs, [1, 1, 0]);
    reqs = await read(db, 'http_requests_total');
    assert.equal(reqs[0]!.vs[2], 'stale');
  } finally {
    await db.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the manager scrapes on its interval and reports targets like /api/v1/targets', async () => {
  const { server, addr } = await serveBody(() => ({ body: 'demo_metric 1\n' }));
  const { server: bad, addr: badAddr } = await serveBody(() => ({ status: 500, body: 'oops' }));
  const dir = mkdtempSync(join(tmpdir(), 'vigil-scrape-'));
  const db = await openDB({ dir });
  const mgr = new ScrapeManager({ appendable: db });
  try {
    await mgr.applyConfig(
      parseConfig(`global: {scrape_interval: 200ms}\nscrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['${addr}', '${badAddr}']}]\n`, '<test>'),
    );
    await mgr.start();
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && mgr.targets().activeTargets.some((t) => t.health === 'unknown')) await new Promise((r) => setTimeout(r, 50));
    const ts = mgr.targets().activeTargets.sort((x, y) => x.scrapeUrl.localeCompare(y.scrapeUrl));
    const good = ts.find((t) => t.labels.instance === addr)!;
    const failing = ts.find((t) => t.labels.instance === badAddr)!;
    assert.equal(good.health, 'up');
    assert.equal(good.scrapeUrl, `http://${addr}/metrics`);
    assert.equal(good.scrapeInterval, '200ms');
    assert.deepEqual(good.labels, { instance: addr, job: 'a' });
    assert.equal(failing.health, 'down');
    assert.match(failing.lastError, /server returned HTTP status 500/);
    assert.ok((await read(db, 'demo_metric')).length === 1);
    // Reload without the failing target: the good loop keeps running.
    await mgr.applyConfig(parseConfig(`global: {scrape_interval: 200ms}\nscrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['${addr}']}]\n`, '<test>'));
    assert.equal(mgr.targets().activeTargets.length, 1);
  } finally {
    await mgr.stop();
    await db.close();
    server.close();
    bad.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a loop keeps its phase when a busy event loop fires its timers late (a ticker, not a chain of delays)', async () => {
  const { server, addr } = await serveBody(() => ({ body: 'demo_metric 1\n' }));
  const cfg = parseConfig(`scrape_configs:\n  - job_name: p\n    scrape_interval: 200ms\n    scrape_timeout: 200ms\n    static_configs: [{targets: ['${addr}']}]\n`, '<test>').scrape_configs[0]!;
  const { active } = targetsFromGroups(cfg, compileRelabel(cfg.relabel_configs), [{ source: '0', labels: {}, targets: [{ __address__: addr }] }]);
  const stamps: number[] = [];
  const appendable = {
    appender: () => ({
      append: (_ref: number, ls: { name: string; value: string }[], t: number) => {
        if (ls.some((l) => l.name === '__name__' && l.value === 'up')) stamps.push(t);
        return 1;
      },
      commit: async () => {},
      rollback: async () => {},
    }),
  };
  const loop = new ScrapeLoop(active[0]!, cfg, [], { appendable, logger: silentLogger(), metrics: new ScrapeMetrics(new Registry()), now: Date.now });
  // Block the event loop for 20 ms at a time, so every timer fires up to 20 ms late.
  let busy = true;
  const hog = () => {
    const until = Date.now() + 20;
    while (Date.now() < until);
    if (busy) setTimeout(hog, 1);
  };
  try {
    loop.start();
    hog();
    await new Promise((r) => setTimeout(r, 3500));
  } finally {
    busy = false;
    await loop.stop(false);
    server.close();
  }
  assert.ok(stamps.length >= 12, `${stamps.length} scrapes in 3.5 s at 200 ms`);
  // Lateness does not add up: every scrape starts within a bounded delay of the first one's phase
  // (which was late itself). A chain of delays drifts by each timer's lateness and crosses 60 ms.
  for (const t of stamps) {
    const d = t - stamps[0]!;
    const off = d - 200 * Math.round(d / 200);
    assert.ok(Math.abs(off) < 60, `scrape ${d} ms after the first is ${off} ms off its phase (${stamps.map((s) => s - stamps[0]!).join(' ')})`);
  }
});

test('series matched by their position in the last body: inserted, removed and reordered lines still get their own labels', async () => {
  const bodies = [
    ['s{id="1"} 1', 's{id="2"} 2', 's{id="3"} 3'],
    ['s{id="0"} 0', 's{id="1"} 1', 's{id="2"} 2', 's{id="3"} 3'],
    ['s{id="3"} 3', 's{id="1"} 1', 's{id="0"} 0'],
    ['s{id="3"} 3', 's{id="1"} 1', 's{id="0"} 0', 's{id="1"} 99'],
    ['s{id="3"} 3', 's{id="1"} 1', 's{id="2"} 2'],
  ];
  let turn = 0;
  const { server, addr } = await serveBody(() => ({ body: bodies[turn++]!.join('\n') + '\n' }));
  const cfg = parseConfig(`scrape_configs:\n  - job_name: p\n    static_configs: [{targets: ['${addr}']}]\n`, '<test>').scrape_configs[0]!;
  const { active } = targetsFromGroups(cfg, compileRelabel(cfg.relabel_configs), [{ source: '0', labels: {}, targets: [{ __address__: addr }] }]);
  let got: string[] = [];
  const appendable = {
    appender: () => ({
      append: (ref: number, ls: { name: string; value: string }[], _t: number, v: number) => {
        const id = ls.find((l) => l.name === 'id');
        if (id) got.push(`${id.value}=${isStaleNaN(v) ? 'stale' : v}`);
        return ref || 1;
      },
      commit: async () => {},
      rollback: async () => {},
    }),
  };
  const loop = new ScrapeLoop(active[0]!, cfg, [], { appendable, logger: silentLogger(), metrics: new ScrapeMetrics(new Registry()), now: Date.now });
  const want = [['1=1', '2=2', '3=3'], ['0=0', '1=1', '2=2', '3=3'], ['3=3', '1=1', '0=0', '2=stale'], ['3=3', '1=1', '0=0'], ['3=3', '1=1', '2=2', '0=stale']];
  try {
    for (let k = 0; k < bodies.length; k++) {
      got = [];
      await loop.scrapeOnce(1_000_000 + k * 1000);
      assert.equal(loop.target.health, 'up');
      assert.deepEqual(got, want[k], `scrape ${k}`);
    }
  } finally {
    server.close();
  }
});
