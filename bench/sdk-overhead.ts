// bench/sdk-overhead: what @vigil/sdk costs a service.
//
// 1. Throughput: autocannon against Fastify and Express hello-worlds, bare vs
//    @vigil/sdk vs the usual alternative (fastify-metrics, express-prom-bundle).
//    Each server runs in its own process; rounds are interleaved so drift on a
//    shared machine hits every variant alike; the median of the rounds counts.
// 2. /metrics rendering with 100k series: the longest event-loop stall while
//    rendering, @vigil/sdk's renderer vs prom-client's registry.metrics().
//
// Bounded: BENCH_SECONDS (default 4) per run x BENCH_ROUNDS (default 3) x 6
// servers, plus the rendering part (~10 s). Run: npx tsx bench/sdk-overhead.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Counter, Histogram, Registry } from 'prom-client';
import { renderRegistry } from '@vigil/sdk';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const server = fileURLToPath(new URL('./sdk-overhead-server.ts', import.meta.url));

type Framework = 'fastify' | 'express';
type Variant = 'bare' | 'vigil' | 'alt';
const ALT: Record<Framework, string> = { fastify: 'fastify-metrics', express: 'express-prom-bundle' };

async function startServer(fw: Framework, variant: Variant): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', server, fw, variant], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`${fw}/${variant} server exited with ${c}`)));
  });
  return { child, url: `http://127.0.0.1:${port}/users/42` };
}

async function load(url: string, seconds: number): Promise<number> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r.requests.average;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function throughput(): Promise<void> {
  for (const fw of ['fastify', 'express'] as const) {
    const results: Record<Variant, number[]> = { bare: [], vigil: [], alt: [] };
    const servers = new Map<Variant, { child: ChildProcess; url: string }>();
    for (const v of ['bare', 'vigil', 'alt'] as const) servers.set(v, await startServer(fw, v));
    try {
      for (const { url } of servers.values()) await load(url, 1); // warm-up (JIT)
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate the order each round so no variant always runs first.
        const order = (['bare', 'vigil', 'alt'] as const).map((_, i, a) => a[(i + round) % a.length]!);
        for (const v of order) results[v].push(await load(servers.get(v)!.url, SECONDS));
      }
    } finally {
      for (const { child } of servers.values()) child.kill('SIGTERM');
    }
    const bare = median(results.bare);
    const row = (name: string, rps: number) => `  ${name.padEnd(22)} ${rps.toFixed(0).padStart(8)} req/s  ${name === 'bare' ? '' : `cost ${(((bare - rps) / bare) * 100).toFixed(1)}%`}`;
    console.log(`${fw} (median of ${ROUNDS} x ${SECONDS}s, ${CONNECTIONS} connections; rounds: ${Object.entries(results).map(([k, v]) => `${k}=${v.map((x) => x.toFixed(0)).join('/')}`).join(' ')})`);
    console.log(row('bare', bare));
    console.log(row('@vigil/sdk', median(results.vigil)));
    console.log(row(ALT[fw], median(results.alt)));
  }
}

/** Longest gap between 1 ms timer ticks (minus the 1 ms) while `fn` runs. */
async function maxStall(fn: () => Promise<unknown>): Promise<{ stallMs: number; totalMs: number }> {
  let last = performance.now();
  let worst = 0;
  let on = true;
  const tick = () => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 1);
    last = now;
    if (on) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  await fn();
  const totalMs = performance.now() - t0;
  on = false;
  await new Promise((r) => setTimeout(r, 5));
  return { stallMs: worst, totalMs };
}

async function rendering(): Promise<void> {
  const cases: Array<[string, () => Registry]> = [
    [
      '100k counter series',
      () => {
        const r = new Registry();
        const c = new Counter({ name: 'wide_total', help: 'h', labelNames: ['route', 'status'], registers: [r] });
        for (let i = 0; i < 100_000; i++) c.inc({ route: `/r/${i}`, status: String(200 + (i % 5)) });
        return r;
      },
    ],
    [
      '100k histogram series (8.3k label sets x 12 lines)',
      () => {
        const r = new Registry();
        const h = new Histogram({ name: 'lat_seconds', help: 'h', labelNames: ['route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [r] });
        for (let i = 0; i < 8_334; i++) h.observe({ route: `/r/${i}` }, (i % 100) / 100);
        return r;
      },
    ],
  ];
  for (const [name, make] of cases) {
    const r = make();
    const prom = [] as Array<{ stallMs: number; totalMs: number }>;
    const ours = [] as Array<{ stallMs: number; totalMs: number }>;
    for (let i = 0; i < 3; i++) {
      prom.push(await maxStall(() => r.metrics()));
      ours.push(await maxStall(() => renderRegistry(r)));
    }
    const fmt = (xs: Array<{ stallMs: number; totalMs: number }>) => `max stall ${median(xs.map((x) => x.stallMs)).toFixed(1)} ms, total ${median(xs.map((x) => x.totalMs)).toFixed(0)} ms`;
    console.log(`/metrics, ${name} (median of 3):`);
    console.log(`  prom-client registry.metrics()  ${fmt(prom)}`);
    console.log(`  @vigil/sdk renderRegistry()     ${fmt(ours)}`);
  }
}

const only = process.argv[2];
if (only !== 'render') await throughput();
if (only !== 'throughput') await rendering();
