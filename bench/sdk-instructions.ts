// bench/sdk-instructions: what @vigil/sdk costs per request, counted in
// machine instructions instead of seconds, so a neighbour's load cannot move
// the figure (sdk-overhead's CPU time per request swings by several percent
// between two identical servers on a shared machine).
//
// Each hello-world server of bench/sdk-overhead-server.ts runs under
// valgrind's callgrind with counting off; autocannon warms it up with 4N
// requests, counting is switched on for N requests and off again
// (callgrind_control), and the count of the server's main thread (where the
// JavaScript runs; V8's compiler and GC helper threads are left out) is
// divided by N. Each run also prints the count of all threads per request,
// to show what garbage collection and compilation on helper threads add.
//
// Making the count repeat (measured on Fastify, Node 20):
// - Valgrind runs one thread at a time, so V8's background compiler gets
//   little time: after a 2N warm-up, optimized code was still being
//   installed while counting, and bare's count moved by up to +50% between
//   runs. After 4N, four runs of bare stayed within 4% of each other and
//   two of the defaults within 0.8%.
// - V8 runs with fixed hash and random seeds (--hash-seed, --random-seed),
//   so hash tables lay out the same way in every run.
// - Not --single-threaded: it moves the compiler onto the main thread,
//   where a late wave of re-optimization then lands in the count.
// Each variant still runs BENCH_RUNS times (default 2) and the lowest count
// is kept.
//
// Caveat, printed with the figures: under callgrind the server runs ~50x
// slower, so work driven by timers rather than by requests (the event-loop
// delay monitors' 10 ms ticks, background health checks) lands on ~50x
// fewer requests than in real time: it inflates the instrumented variants'
// counts, never bare's. The 'idle' variant (bare plus a vigil() instance
// that instruments nothing) measures that share, and the "net" column
// subtracts it: the cost that grows with requests. Real time's share of
// that background work is measured by sdk-overhead, not here.
//
// BENCH_CACHE_SIM=1 adds callgrind's cache and branch simulation
// (--cache-sim=yes --branch-sim=yes) and prints, per request on the main
// thread, first-level instruction-cache misses (I1mr), data-cache read
// misses (D1mr) and mispredicted conditional branches (Bcm) beside the
// instructions. A hello-world request runs some 70,000 instructions spread
// over more code than the first-level instruction cache holds, so code that
// runs once per request mostly misses there, and what the SDK adds costs
// more cycles than its instruction count says (docs/sdk-overhead.md, "Code
// that runs once per request"). The simulated caches are the host's; the
// counts are a simulation, not hardware counters (this host has none), and
// about twice as slow to collect.
//
// Bounded: N = BENCH_REQUESTS (default 5000) measured, 4N warm-up, per run;
// about 2 minutes per Fastify run and several times that per Express run
// (Express takes ~4x the instructions per request), 6 variants x 2 runs:
// ~25 minutes for Fastify, over an hour for both frameworks.
// Needs valgrind (Debian package valgrind). Run: npx tsx bench/sdk-instructions.ts
// (BENCH_FRAMEWORKS=fastify for one framework; BENCH_NODE=/path/to/node to
// run the servers on another Node release, as in sdk-overhead.ts).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { serverReady } from './sdk-server-ready.ts';

const N = Number(process.env.BENCH_REQUESTS ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const GOAL_PCT = 5;
const SERVER_NODE = process.env.BENCH_NODE ?? process.execPath;
const WARMUP = 4 * N;
const CACHE_SIM = process.env.BENCH_CACHE_SIM === '1';
const V8_FLAGS = (process.env.BENCH_V8_FLAGS ?? '--hash-seed=1 --random-seed=1').split(' ').filter(Boolean);
const server = fileURLToPath(new URL('./sdk-overhead-server.ts', import.meta.url));

type Framework = 'fastify' | 'express';
type Variant = 'bare' | 'shaped' | 'idle' | 'floor' | 'hook' | 'wrap' | 'vigil' | 'context' | 'lean' | 'alt';
/** BENCH_VARIANTS picks some (comma-separated; also floor, hook, wrap and shaped, see sdk-overhead-server.ts); all but those four by default. */
const VARIANTS: Variant[] = (['bare', 'shaped', 'idle', 'floor', 'hook', 'wrap', 'vigil', 'context', 'lean', 'alt'] as Variant[]).filter((v) =>
  process.env.BENCH_VARIANTS ? process.env.BENCH_VARIANTS.split(',').includes(v) : v !== 'floor' && v !== 'hook' && v !== 'wrap' && v !== 'shaped',
);
const ALT: Record<Framework, string> = { fastify: 'fastify-metrics', express: 'express-prom-bundle' };
const NAMES: Record<Variant, string> = { bare: 'bare', shaped: 'bare, app prototypes', idle: 'bare + idle vigil()', floor: 'hook+listener floor', hook: 'empty onRequest hook', wrap: 'listener, no hook', vigil: '@vigil/sdk', context: '@vigil/sdk + context', lean: '@vigil/sdk lean', alt: '' };

/** The `totals:` line of a callgrind output file, by event (`Ir`: instructions executed; with the simulation also `I1mr`, `D1mr`, `Bcm`, ...). */
function counts(file: string): Record<string, number> {
  const text = readFileSync(file, 'utf8');
  const events = /^events: (.+)$/m.exec(text);
  const m = /^totals: ([\d ]+)$/m.exec(text);
  if (!events || !m) throw new Error(`${file}: no events or totals line`);
  const values = m[1]!.trim().split(/\s+/).map(Number);
  return Object.fromEntries(events[1]!.trim().split(/\s+/).map((e, i) => [e, values[i] ?? 0]));
}
const totals = (file: string): number => counts(file).Ir!;

/** The simulated events printed per request with BENCH_CACHE_SIM=1. */
const SIM_EVENTS = ['I1mr', 'D1mr', 'Bcm'] as const;
type Sim = Record<(typeof SIM_EVENTS)[number], number>;

/** Main-thread instructions per request of one server run; also whether its defaults carry a context. */
async function measure(fw: Framework, variant: Variant): Promise<{ perRequest: number; allThreads: number; context: boolean; sim: Sim | undefined }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cg-'));
  const out = join(dir, 'cg.out');
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', ...(CACHE_SIM ? ['--cache-sim=yes', '--branch-sim=yes'] : []), '--instr-atstart=no', '--separate-threads=yes', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, SERVER_NODE, ...V8_FLAGS, '--import', 'tsx', server, fw, variant],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  try {
    const { port, context } = await serverReady(child, `${fw}/${variant} under valgrind`, 300_000, () => stderr);
    const url = `http://127.0.0.1:${port}/users/42`;
    const pid = String(child.pid);
    await autocannon({ url, connections: 8, amount: WARMUP });
    execFileSync('callgrind_control', ['-i', 'on', pid], { stdio: 'ignore' });
    const r = await autocannon({ url, connections: 8, amount: N });
    execFileSync('callgrind_control', ['-i', 'off', pid], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['-d', pid], { stdio: 'ignore' });
    if (r.non2xx > 0 || r.errors > 0 || r.requests.total !== N) throw new Error(`${fw}/${variant}: ${r.requests.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors`);
    // The dump names files <out>.1-<thread>; thread 01 is the main thread.
    const main = readdirSync(dir).find((f) => f.endsWith('.1-01'));
    if (main === undefined) throw new Error(`${fw}/${variant}: no main-thread dump in ${readdirSync(dir).join(', ')}`);
    // Every thread's dump: V8's GC helpers (parallel scavenge, concurrent
    // marking) and compiler threads besides the main one.
    const all = readdirSync(dir).filter((f) => /\.1-\d+$/.test(f)).reduce((sum, f) => sum + totals(join(dir, f)), 0);
    const mainCounts = counts(join(dir, main));
    const sim = CACHE_SIM ? (Object.fromEntries(SIM_EVENTS.map((e) => [e, (mainCounts[e] ?? 0) / N])) as Sim) : undefined;
    return { perRequest: mainCounts.Ir! / N, allThreads: all / N, context, sim };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
const version = SERVER_NODE === process.execPath ? process.version : execFileSync(SERVER_NODE, ['--version'], { encoding: 'utf8' }).trim();
console.log(`instructions per request (callgrind, server main thread), ${N} requests after ${WARMUP} warm-up, lowest of ${RUNS} runs; servers on Node ${version}`);
const verdicts: string[] = [];
for (const fw of (process.env.BENCH_FRAMEWORKS ?? 'fastify,express').split(',') as Framework[]) {
  const best = new Map<Variant, number>();
  /** The simulated counts of each variant's run with the fewest instructions. */
  const bestSim = new Map<Variant, Sim>();
  let context = false;
  for (let run = 0; run < RUNS; run++) {
    for (const v of VARIANTS) {
      const m = await measure(fw, v);
      if (v === 'vigil') context = m.context;
      if (m.perRequest < (best.get(v) ?? Infinity) && m.sim) bestSim.set(v, m.sim);
      best.set(v, Math.min(best.get(v) ?? Infinity, m.perRequest));
      const sim = m.sim ? `; ${SIM_EVENTS.map((e) => `${e} ${Math.round(m.sim![e]).toLocaleString('en-US')}`).join(', ')} (main thread)` : '';
      console.log(`    ${fw}/${v} run ${run + 1}: ${Math.round(m.perRequest).toLocaleString('en-US')} main thread, ${Math.round(m.allThreads).toLocaleString('en-US')} all threads${sim}`);
    }
  }
  const bare = best.get('bare')!;
  const cost = (v: Variant) => (best.get(v)! / bare - 1) * 100;
  // Instrumented variants net of the timer-driven share the idle server shows.
  const idleExtra = best.has('idle') ? Math.max(0, best.get('idle')! - bare) : 0;
  const net = (v: Variant) => ((best.get(v)! - (v === 'vigil' || v === 'context' || v === 'lean' ? idleExtra : 0)) / bare - 1) * 100;
  console.log(`${fw}: (@vigil/sdk defaults ${context ? 'carry' : 'do not carry'} a request context on this Node)`);
  for (const v of VARIANTS) {
    const name = v === 'alt' ? ALT[fw] : NAMES[v];
    const netCol = v === 'vigil' || v === 'context' || v === 'lean' ? `   net of idle ${pct(net(v)).padStart(7)}` : '';
    const sim = bestSim.get(v);
    const simCol = sim ? `   ${SIM_EVENTS.map((e) => `${e} ${Math.round(sim[e]).toLocaleString('en-US').padStart(5)}${v === 'bare' || !bestSim.has('bare') ? '' : ` (${pct((sim[e] / bestSim.get('bare')![e] - 1) * 100)})`}`).join('  ')}` : '';
    console.log(`  ${name.padEnd(22)} ${Math.round(best.get(v)!).toLocaleString('en-US').padStart(9)} instructions/req${v === 'bare' ? '' : `   cost ${pct(cost(v)).padStart(7)}`}${netCol}${simCol}`);
  }
  if (!best.has('alt') || !best.has('vigil')) continue; // a partial run (BENCH_VARIANTS) has no verdict
  verdicts.push(
    `${fw}: @vigil/sdk ${pct(cost('vigil'))} instructions/req vs bare (${pct(net('vigil'))} net of idle), ${ALT[fw]} ${pct(cost('alt'))}; ` +
      `<= ${GOAL_PCT}%: ${cost('vigil') <= GOAL_PCT ? 'yes' : net('vigil') <= GOAL_PCT ? 'net of idle only' : 'NO'}; below ${ALT[fw]}: ${cost('vigil') < cost('alt') ? 'yes' : 'NO'}`,
  );
}
console.log('verdict (the raw cost counts timer-driven work ~50x over, see the header of this file):');
for (const v of verdicts) console.log(`  ${v}`);
