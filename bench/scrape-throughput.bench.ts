/**
 * Scrape throughput: loopback targets exposing 2,000 series each, scraped
 * every second by a ScrapeManager; targets are added in steps until scrapes
 * fall behind (fewer scrapes than targets × seconds, or a scrape slower than
 * the interval) or the step limit is reached. Targets run in a child process
 * so their CPU is not counted. Samples go to a counting sink (storage cost is
 * the TSDB benchmarks' business) unless `--storage=memory`.
 *
 *   npx tsx bench/scrape-throughput.bench.ts [--step=20] [--max-targets=400] [--seconds=4] [--storage=memory]
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { parseConfig } from '@vigil/server/config/index.ts';
import { ScrapeManager } from '@vigil/server/scrape/index.ts';
import { createMemoryStorage } from '@vigil/server/testutil/index.ts';
import type { Appendable, Appender } from '@vigil/server/storage/index.ts';
import type { Labels } from '@vigil/core';

const SERIES_PER_TARGET = 2000;

function arg(name: string, def: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : def;
}

/** An exposition of 2,000 series shaped like a busy HTTP service: counters, gauges and histograms. */
function body(variant: number): string {
  const lines: string[] = [];
  let n = 0;
  const routes = Array.from({ length: 40 }, (_, i) => `/api/v1/resource/${i}`);
  lines.push('# HELP http_requests_total Requests handled.', '# TYPE http_requests_total counter');
  for (const route of routes) for (const method of ['GET', 'POST']) for (const status of ['200', '404', '500']) {
    lines.push(`http_requests_total{method="${method}",route="${route}",status="${status}"} ${1000 + n * 7 + variant}`);
    n++;
  }
  lines.push('# HELP http_request_duration_seconds Latency.', '# TYPE http_request_duration_seconds histogram');
  const les = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf'];
  for (const route of routes) for (const method of ['GET', 'POST']) {
    for (const le of les) lines.push(`http_request_duration_seconds_bucket{method="${method}",route="${route}",le="${le}"} ${n++ + variant}`);
    lines.push(`http_request_duration_seconds_sum{method="${method}",route="${route}"} ${(n * 0.37 + variant).toFixed(3)}`);
    lines.push(`http_request_duration_seconds_count{method="${method}",route="${route}"} ${n++ + variant}`);
  }
  lines.push('# TYPE worker_queue_depth gauge');
  let i = 0;
  while (n < SERIES_PER_TARGET) lines.push(`worker_queue_depth{queue="q${i++}",shard="${n % 16}"} ${(n++ * 1.5 + variant) % 97}`);
  return lines.join('\n') + '\n';
}

/** Child mode: serve the bodies on `count` loopback ports and print them as one JSON line. */
async function serveTargets(count: number): Promise<void> {
  const bodies = [Buffer.from(body(0)), Buffer.from(body(1))];
  let flip = 0;
  const ports: number[] = [];
  for (let k = 0; k < count; k++) {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(bodies[flip++ & 1]);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ports.push((server.address() as { port: number }).port);
  }
  process.stdout.write(JSON.stringify(ports) + '\n');
  // Exit with the parent.
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

/** Counts appended samples and `up` samples (one per scrape); discards the rest. */
class CountingSink implements Appendable {
  samples = 0;
  scrapes = 0;
  appender(): Appender {
    let pending = 0;
    let ups = 0;
    return {
      append: (_ref: number, ls: Labels, _t: number, _v: number) => {
        pending++;
        for (const l of ls) if (l.name === '__name__') { if (l.value === 'up') ups++; break; }
        return 1;
      },
      commit: async () => {
        this.samples += pending;
        this.scrapes += ups;
      },
      rollback: async () => {},
    };
  }
}

async function main(): Promise<void> {
  const step = Number(arg('step', '20'));
  const maxTargets = Number(arg('max-targets', '400'));
  const seconds = Number(arg('seconds', '4'));
  const storage = arg('storage', 'none');

  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', String(maxTargets)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ports: number[] = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l)));
    child.once('exit', (code) => reject(new Error(`target process exited with ${code}`)));
  });

  const sink = new CountingSink();
  const mem = storage === 'memory' ? createMemoryStorage() : undefined;
  const appendable: Appendable = mem
    ? { appender: () => { const a = mem.appender(); const c = sink.appender(); return { append: (r, l, t, v) => (c.append(r, l, t, v), a.append(r, l, t, v)), commit: async () => { await c.commit(); await a.commit(); }, rollback: () => a.rollback() }; } }
    : sink;
  const mgr = new ScrapeManager({ appendable, registry: new Registry() });
  const config = (n: number) =>
    parseConfig(
      `global: {scrape_interval: 1s, scrape_timeout: 1s}\nscrape_configs:\n  - job_name: bench\n    static_configs:\n      - targets: [${ports.slice(0, n).map((p) => `'127.0.0.1:${p}'`).join(', ')}]\n`,
      '<bench>',
    );

  console.log(`scrape throughput: ${SERIES_PER_TARGET} series per target, 1 s interval, ${seconds} s per step, storage: ${storage}`);
  console.log('targets  samples/s   CPU s per 1M samples  scrapes/expected  max scrape ms  behind');
  let best = { targets: 0, rate: 0, cpuPerM: 0 };
  try {
    await mgr.start();
    for (let n = step; n <= maxTargets; n += step) {
      await mgr.applyConfig(config(n));
      // Let the new loops reach their phase before measuring.
      await new Promise((r) => setTimeout(r, 1200));
      const s0 = sink.samples;
      const k0 = sink.scrapes;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const dt = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      const samples = sink.samples - s0;
      const scrapes = sink.scrapes - k0;
      const expected = n * dt;
      const maxMs = Math.max(...mgr.targets().activeTargets.map((t) => t.lastScrapeDuration * 1000));
      const cpuPerM = ((cpu.user + cpu.system) / 1e6) / (samples / 1e6);
      const behind = scrapes < 0.95 * expected || maxMs > 1000;
      console.log(
        `${String(n).padStart(7)}  ${Math.round(samples / dt).toString().padStart(9)}   ${cpuPerM.toFixed(2).padStart(20)}  ${`${scrapes}/${Math.round(expected)}`.padStart(16)}  ${maxMs.toFixed(0).padStart(13)}  ${behind ? 'yes' : 'no'}`,
      );
      if (behind) break;
      best = { targets: n, rate: samples / dt, cpuPerM };
    }
  } finally {
    await mgr.stop();
    child.stdin!.end();
    child.kill();
  }
  console.log(`\nsustained: ${best.targets} targets, ${Math.round(best.rate)} samples/s, ${best.cpuPerM.toFixed(2)} CPU s per million samples`);
}

if (process.argv.includes('--serve')) await serveTargets(Number(process.argv[process.argv.indexOf('--serve') + 1]));
else await main();
