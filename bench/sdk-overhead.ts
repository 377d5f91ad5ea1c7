// bench/sdk-overhead: what @vigil/sdk costs a service.
//
// 1. Throughput: autocannon against Fastify and Express hello-worlds, bare vs
//    @vigil/sdk vs the usual alternative (fastify-metrics, express-prom-bundle).
//    Each server runs in its own process; rounds are interleaved so drift hits
//    every variant alike. On a shared machine req/s swings with neighbours'
//    load, so the cost is also computed from server CPU time per request
//    (process.cpuUsage() before/after each run), which is far steadier.
// 2. /metrics rendering with 100k series: the longest event-loop stall while
//    rendering, @vigil/sdk's renderer vs prom-client's registry.metrics().
//
// Variants: bare, @vigil/sdk defaults, @vigil/sdk lean (requestContext and
// size histograms off), the alternative.
//
// Bounded: BENCH_SECONDS (default 4) per run x BENCH_ROUNDS (default 3) x 8
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
type Variant = 'bare' | 'vigil' | 'lean' | 'alt';
const VARIANTS: Variant[] = ['bare', 'vigil', 'lean', 'alt'];
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

interface Run {
  rps: number;
  /** Server CPU microseconds (user + system) per request. */
  cpuUs: number;
}

async function cpu(url: string): Promise<number> {
  const r = (await (await fetch(url.replace('/users/42', '/__cpu'))).json()) as { user: number; system: number };
  return r.user + r.system;
}

async function load(url: string, seconds: number): Promise<Run> {
  const c0 = await cpu(url);
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  const c1 = await cpu(url);
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, cpuUs: (c1 - c0) / r.requests.total };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function throughput(): Promise<void> {
  for (const fw of (process.env.BENCH_FRAMEWORKS ?? 'fastify,express').split(',') as Framework[]) {
    const results: Record<Variant, Run[]> = { bare: [], vigil: [], lean: [], alt: [] };
    const servers = new Map<Variant, { child: ChildProcess; url: string }>();
    for (const v of VARIANTS) servers.set(v, await startServer(fw, v));
    try {
      for (const { url } of servers.values()) await load(url, 1); // warm-up (JIT)
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate the order each round so no variant always runs first.
        const order = VARIANTS.map((_, i, a) => a[(i + round) % a.length]!);
        for (const v of order) results[v].push(await load(servers.get(v)!.url, SECONDS));
      }
    } finally {
      for (const { child } of servers.values()) child.kill('SIGTERM');
    }
    const best = (v: Variant) => Math.max(...results[v].map((r) => r.rps));
    const cpuUs = (v: Variant) => median(results[v].map((r) => r.cpuUs));
    const row = (name: string, v: Variant) => {
      const rpsCost = ((best('bare') - best(v)) / best('bare')) * 100;
      const cpuCost = ((cpuUs(v) - cpuUs('bare')) / cpuUs('bare')) * 100;
      return `  ${name.padEnd(20)} ${best(v).toFixed(0).padStart(7)} req/s (best) ${cpuUs(v).toFixed(1).padStart(6)} us CPU/req (median)${v === 'bare' ? '' : `   cost: ${rpsCost.toFixed(1)}% req/s, ${cpuCost.toFixed(1)}% CPU/req`}`;
    };
    console.log(`${fw}: ${ROUNDS} rounds x ${SECONDS}s, ${CONNECTIONS} connections; req/s per round: ${Object.entries(results).map(([k, v]) => `${k}=${v.map((x) => x.rps.toFixed(0)).join('/')}`).join(' ')}`);
    console.log(row('bare', 'bare'));
    console.log(row('@vigil/sdk', 'vigil'));
    console.log(row('@vigil/sdk lean', 'lean'));
    console.log(row(ALT[fw], 'alt'));
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
