// bench/sdk-cluster: what a `cluster` worker's event loop suffers while the
// primary collects its metrics for one scrape, @vigil/sdk's
// serveClusterWorker/clusterMetricsCollector vs prom-client's
// AggregatorRegistry, with 100k counter series in the worker.
//
// prom-client's worker builds every family with metric.get() and sends the
// whole registry as one IPC message; ours reads the series maps a slice at a
// time and sends parts of 250 samples as text (one formatted line per
// sample, values beside), which the primary keeps as text until it renders. The worker measures its own longest
// event-loop stall (gap between 1 ms timer ticks, minus the 1 ms) during each
// collection, the primary its own the same way (ours aggregates in slices,
// prom-client's AggregatorRegistry.aggregate in one step) and times the
// collection and the rendering of the aggregate (prom-client:
// clusterMetrics(), which also renders; ours: collector + renderRegistryBuffer).
//
// Then the primary's part alone, in one process: the workers' replies
// (as they arrive over IPC, JSON round trip included) prepared beforehand,
// then aggregated and rendered while the stall is measured. With workers
// in processes of their own, the primary's stall also counts the time the
// host did not schedule it (three busy processes on two cores here): the
// bench prints the CPU time the primary used during its longest stall
// beside it.
//
// Bounded: one worker per implementation (BENCH_WORKERS for more: every
// other one creates its series in reverse order, so the primary must match
// series by key), a warm-up collection and 3 measured ones each, then 4
// in-process rounds (the first unmeasured); about 7 s with one worker,
// 11 s with two.
// Run: npx tsx bench/sdk-cluster.ts (BENCH_SERIES to change the 100k).
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry, Counter, Registry } from 'prom-client';
import { clusterMetricsCollector, renderRegistryBuffer, serveClusterWorker } from '@vigil/sdk';
// The primary's steps, for the in-process part (not public API).
import { addLinePart, aggregateLineFamilies, type LineFamily } from '../packages/sdk/src/metrics/line-aggregate.ts';
import { metricsAsLineParts } from '../packages/sdk/src/metrics/line-parts.ts';
import { maxStall } from './stall.ts';

const SERIES = Number(process.env.BENCH_SERIES ?? 100_000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
type Impl = 'vigil' | 'prom-client';

/** A worker's registry: SERIES counter series, created in reverse order if `reverse`. */
function wideRegistry(reverse: boolean): Registry {
  const r = new Registry();
  const c = new Counter({ name: 'wide_total', help: 'Many series.', labelNames: ['route', 'status'], registers: [r] });
  for (let k = 0; k < SERIES; k++) {
    const i = reverse ? SERIES - 1 - k : k;
    c.inc({ route: `/r/${i}`, status: String(200 + (i % 5)) });
  }
  return r;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => x.toFixed(1).padStart(6);

/** The primary's aggregation and rendering of WORKERS replies, alone in this process (median of 3 after a warm-up). */
async function inProcess(): Promise<void> {
  const registries = Array.from({ length: WORKERS }, (_, k) => wideRegistry(k % 2 === 1));
  const viaIpc = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
  const runs: Record<Impl, Array<{ stallMs: number; totalMs: number }>> = { vigil: [], 'prom-client': [] };
  for (let run = 0; run < 4; run++) {
    const replies: Array<Map<string, LineFamily>> = [];
    for (const r of registries) {
      const families = new Map<string, LineFamily>();
      for await (const part of metricsAsLineParts(r)) addLinePart(families, viaIpc(part));
      replies.push(families);
    }
    const ours = await maxStall(async () => renderRegistryBuffer(await aggregateLineFamilies(replies.map((f) => f.values()))));
    const json = await Promise.all(registries.map(async (r) => viaIpc(await r.getMetricsAsJSON())));
    const theirs = await maxStall(async () => AggregatorRegistry.aggregate(json).metrics());
    if (run > 0) {
      runs.vigil.push(ours);
      runs['prom-client'].push(theirs);
    }
  }
  console.log('  the primary\'s aggregation and rendering alone, in one process:');
  for (const impl of ['vigil', 'prom-client'] as Impl[]) {
    console.log(`  ${impl.padEnd(12)} longest stall ${ms(median(runs[impl].map((r) => r.stallMs)))} ms   aggregate + render ${median(runs[impl].map((r) => r.totalMs)).toFixed(0).padStart(5)} ms`);
  }
}

if (cluster.isPrimary) {
  const collectVigil = clusterMetricsCollector({ timeoutMs: 60_000 });
  const prom = new AggregatorRegistry();
  const ask = (w: Worker, msg: string) =>
    new Promise<number>((resolve) => {
      const on = (m: { type?: string; stallMs?: number }) => {
        if (m?.type === `${msg}-ack`) {
          w.off('message', on);
          resolve(m.stallMs ?? 0);
        }
      };
      w.on('message', on);
      w.send({ type: msg });
    });
  console.log(
    `cluster /metrics, ${WORKERS === 1 ? 'one worker' : `${WORKERS} workers (series in reverse order in every other one)`} with ${SERIES.toLocaleString('en-US')} counter series${WORKERS === 1 ? '' : ' each'} (median of 3 collections after a warm-up):`,
  );
  console.log(`  with ${WORKERS === 1 ? 'the worker' : 'the workers'} in ${WORKERS === 1 ? 'a process of its own' : 'processes of their own'} (on ${availableParallelism()} cores):`);
  for (const impl of ['vigil', 'prom-client'] as Impl[]) {
    const workers = Array.from({ length: WORKERS }, (_, k) => cluster.fork({ BENCH_IMPL: impl, BENCH_SERIES: String(SERIES), BENCH_REVERSE: String(k % 2 === 1) }));
    await Promise.all(workers.map((w) => new Promise<void>((r) => w.on('message', (m: { type?: string }) => m?.type === 'ready' && r()))));
    const once = async () => {
      await Promise.all(workers.map((w) => ask(w, 'reset')));
      let bytes = 0;
      // The primary's own longest stall, and the time to collect and render.
      const { stallMs: primaryMs, stallCpuMs: primaryCpuMs, totalMs } = await maxStall(async () => {
        bytes = (impl === 'vigil' ? await renderRegistryBuffer(await collectVigil()) : Buffer.from(await prom.clusterMetrics())).length;
      });
      const stallMs = Math.max(...(await Promise.all(workers.map((w) => ask(w, 'report')))));
      return { totalMs, stallMs, primaryMs, primaryCpuMs, bytes };
    };
    await once();
    const runs = [await once(), await once(), await once()];
    // The run with the median primary stall, for that stall's CPU time.
    const mid = [...runs].sort((a, b) => a.primaryMs - b.primaryMs)[1]!;
    console.log(
      `  ${impl.padEnd(12)} worker's longest stall ${median(runs.map((r) => r.stallMs)).toFixed(1).padStart(7)} ms   primary's ${ms(mid.primaryMs)} ms (${ms(mid.primaryCpuMs)} ms CPU)   primary: collect + render ${median(runs.map((r) => r.totalMs)).toFixed(0).padStart(5)} ms (${runs[0]!.bytes.toLocaleString('en-US')} bytes)`,
    );
    for (const w of workers) {
      const exited = new Promise((r) => w.once('exit', r));
      w.kill();
      await exited;
    }
  }
  // Last, so the registries it builds here do not weigh on the primary's
  // heap while it collects from the workers.
  await inProcess();
} else {
  const r = wideRegistry(process.env.BENCH_REVERSE === 'true');
  if ((process.env.BENCH_IMPL as Impl) === 'vigil') serveClusterWorker(r);
  else {
    AggregatorRegistry.setRegistries([r]);
    new AggregatorRegistry();
  }
  let last = performance.now();
  let worst = 0;
  const tick = () => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 1);
    last = now;
    setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'reset') {
      worst = 0;
      last = performance.now();
      process.send!({ type: 'reset-ack' });
    } else if (m?.type === 'report') {
      // Let the last part's send and any trailing tick land first.
      setTimeout(() => process.send!({ type: 'report-ack', stallMs: worst }), 20);
    }
  });
  process.send!({ type: 'ready' });
}
