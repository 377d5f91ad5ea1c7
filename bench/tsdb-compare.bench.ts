// Storage side by side: the same remote-write workload into Debian's
// prometheus, victoria-metrics and Vigil, one after the other, then
// ingestion rate (4 writers in parallel, each over its own shard of series,
// so per-series order holds), resident memory per series, bytes on disk per
// sample after compaction and restart (WAL replay) time, with Vigil's figures
// as ratios to each peer.
//
// Disk after compaction: Prometheus and Vigil write a snapshot (compacted
// blocks, head included) through /api/v1/admin/tsdb/snapshot (Vigil: of its
// stopped data directory, through the same code, when the server has no
// admin API); VictoriaMetrics is force-flushed and force-merged and its whole
// storage directory counted (data and indexdb).
// Bounded: fixed series and sample counts; every process is stopped at the end.
//
//   npx tsx bench/tsdb-compare.bench.ts [--series 100000] [--samples 120] [--steady-seconds 60] [--only vigil]
//   (VIGIL_NODE_ARGS: node flags for Vigil; VIGIL_ARGS: extra `vigil start` flags)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappy';
import { writeRequestType } from '../packages/server/src/remote/index.ts';
import { openDB } from '../packages/server/src/tsdb/index.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SERIES = arg('series', 100_000);
const SAMPLES = arg('samples', 120);
const WRITERS = 4;
const STEADY_SECONDS = arg('steady-seconds', 60);
const STEADY_INTERVAL = 5000;
/** `--only vigil` (comma-separated names) runs a subset; ratios need all three. */
const ONLY = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? process.argv[i + 1]!.split(',') : undefined;
})();
const STEP = 15_000;
const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'vigil-tsdb-bench-'));

interface Peer {
  name: string;
  port: number;
  dataDir: string;
  start(): ChildProcess;
  ready: string;
  write: string;
  proc?: ChildProcess;
}

const peers: Peer[] = [
  {
    name: 'prometheus',
    port: 20191,
    dataDir: join(work, 'prometheus'),
    ready: '/-/ready',
    write: '/api/v1/write',
    start() {
      writeFileSync(join(work, 'prometheus.yml'), 'global: {scrape_interval: 1h}\n');
      return spawn('prometheus', [`--config.file=${join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${this.dataDir}`, `--web.listen-address=127.0.0.1:${this.port}`, '--web.enable-remote-write-receiver', '--web.enable-admin-api', '--log.level=error'], { stdio: 'ignore' });
    },
  },
  {
    name: 'victoria-metrics',
    port: 20192,
    dataDir: join(work, 'vm'),
    ready: '/health',
    write: '/api/v1/write',
    start() {
      return spawn('victoria-metrics', [`-storageDataPath=${this.dataDir}`, `-httpListenAddr=127.0.0.1:${this.port}`, '-retentionPeriod=100y', '-loggerLevel=ERROR'], { stdio: 'ignore' });
    },
  },
  {
    name: 'vigil',
    port: 20193,
    dataDir: join(work, 'vigil'),
    ready: '/-/ready',
    write: '/api/v1/write',
    start() {
      writeFileSync(join(work, 'vigil.yml'), 'global: {scrape_interval: 1h}\n');
      return spawn(process.execPath, [...(process.env.VIGIL_NODE_ARGS ?? '').split(' ').filter(Boolean), join(root, 'packages/cli/bin/vigil.js'), 'start', `--config.file=${join(work, 'vigil.yml')}`, `--storage.tsdb.path=${this.dataDir}`, `--web.listen-address=127.0.0.1:${this.port}`, '--web.enable-remote-write-receiver', '--log.level=error', ...(process.env.VIGIL_ARGS ?? '').split(' ').filter(Boolean)], { stdio: 'ignore' });
    },
  },
];

async function waitReady(p: Peer, ms = 120_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    try {
      const r = await fetch(`http://127.0.0.1:${p.port}${p.ready}`);
      if (r.ok) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${p.name} not ready after ${ms} ms`);
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function duBytes(dir: string): number {
  const r = spawnSync('du', ['-sb', dir], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0]);
}

async function stop(p: Peer): Promise<void> {
  const child = p.proc;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/**
 * Realistic-ish series: noisy counters, random-walk gauges with 4 decimals,
 * histogram buckets. bodies[k][w] holds timestamp k for writer w's shard.
 */
function workload(): { bodies: Buffer[][]; step(t: number): Buffer[] } {
  const type = writeRequestType();
  const t0 = Date.now() - SAMPLES * STEP;
  const state = new Float64Array(SERIES);
  const labels = Array.from({ length: SERIES }, (_, i) => {
    const kind = i % 5;
    const inst = `10.0.${(i >> 8) & 255}.${i & 255}:9100`;
    if (kind < 2) return [{ name: '__name__', value: 'http_requests_total' }, { name: 'instance', value: inst }, { name: 'job', value: 'api' }, { name: 'route', value: `/r${i % 37}` }];
    if (kind < 4) return [{ name: '__name__', value: 'node_temperature_celsius' }, { name: 'instance', value: inst }, { name: 'job', value: 'node' }, { name: 'sensor', value: `s${i % 11}` }];
    return [{ name: '__name__', value: 'request_duration_seconds_bucket' }, { name: 'instance', value: inst }, { name: 'job', value: 'api' }, { name: 'le', value: ['0.1', '0.5', '1.0', '5.0', '+Inf'][i % 5]! }];
  });
  for (let i = 0; i < SERIES; i++) state[i] = i % 5 >= 2 && i % 5 < 4 ? 40 + (i % 20) : 0;
  const bodies: Buffer[][] = [];
  const step = (t: number): Buffer[] => {
    const shards: Array<Array<{ labels: (typeof labels)[number]; samples: Array<{ value: number; timestamp: number }> }>> = Array.from({ length: WRITERS }, () => []);
    for (let i = 0; i < SERIES; i++) {
      const kind = i % 5;
      if (kind < 2 || kind === 4) state[i] += Math.floor(Math.random() * 20);
      else state[i] = Math.round((state[i]! + (Math.random() - 0.5) * 0.4) * 10_000) / 10_000;
      shards[i % WRITERS]!.push({ labels: labels[i]!, samples: [{ value: state[i]!, timestamp: t }] });
    }
    return shards.map((timeseries) => snappy.compressSync(Buffer.from(type.encode(type.create({ timeseries })).finish())) as Buffer);
  };
  for (let k = 0; k < SAMPLES; k++) bodies.push(step(t0 + k * STEP));
  return { bodies, step };
}

async function send(p: Peer, body: Buffer): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${p.port}${p.write}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
    body: new Uint8Array(body),
  });
  if (r.status >= 300) throw new Error(`${p.name}: remote write answered ${r.status} ${await r.text()}`);
}

/** Bytes on disk after compaction (see the header comment). */
async function compactedBytes(p: Peer): Promise<number> {
  if (p.name === 'prometheus') {
    const r = await fetch(`http://127.0.0.1:${p.port}/api/v1/admin/tsdb/snapshot`, { method: 'POST' });
    const name = ((await r.json()) as { data: { name: string } }).data.name;
    return duBytes(join(p.dataDir, 'snapshots', name));
  }
  if (p.name === 'victoria-metrics') {
    await fetch(`http://127.0.0.1:${p.port}/internal/force_flush`);
    await fetch(`http://127.0.0.1:${p.port}/internal/force_merge`);
    // force_merge runs in the background: wait until the size settles.
    let last = -1;
    for (let i = 0; i < 120; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const b = duBytes(p.dataDir);
      if (b === last) break;
      last = b;
    }
    return duBytes(p.dataDir) - duBytes(join(p.dataDir, 'snapshots'));
  }
  return NaN; // Vigil: measured offline after stop
}

async function vigilOfflineSnapshot(p: Peer): Promise<number> {
  const db = await openDB({ dir: p.dataDir });
  const dir = join(p.dataDir, 'snapshots', 'bench');
  db.snapshot(dir, true);
  await db.close();
  return duBytes(dir);
}

const results = new Map<string, { ingest: number; rss: number; disk: number; restart: number; crashRestart: number }>();
try {
  console.log(`workload: ${SERIES} series × ${SAMPLES} samples (${(SERIES * SAMPLES).toLocaleString()} samples), 15 s apart; one peer at a time`);
  const { bodies, step } = workload();
  for (const p of peers.filter((x) => !ONLY || ONLY.includes(x.name))) {
    p.proc = p.start();
    await waitReady(p);
    await new Promise((r) => setTimeout(r, 1000));
    const rss0 = rssBytes(p.proc.pid!);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (const shards of bodies) await send(p, shards[w]!);
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    // Resident memory at a fixed load: every series gets a current sample every
    // STEADY_INTERVAL for STEADY_SECONDS (as scraping 100k series would), and the
    // memory is the median of the readings taken after each round in the second half.
    const readings: number[] = [];
    const rounds = Math.round(STEADY_SECONDS / (STEADY_INTERVAL / 1000));
    for (let k = 0; k < rounds; k++) {
      const started = Date.now();
      const shards = step(started);
      await Promise.all(shards.map((b) => send(p, b)));
      await new Promise((r) => setTimeout(r, Math.max(0, STEADY_INTERVAL - (Date.now() - started))));
      if (k >= rounds / 2) readings.push(rssBytes(p.proc.pid!) - rss0);
    }
    const rss = readings.sort((a, b) => a - b)[Math.floor(readings.length / 2)]!;
    if (p.name === 'vigil') {
      const text = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
      const heap = text.split('\n').filter((l) => /^(nodejs_heap_size_(total|used)_bytes|nodejs_external_memory_bytes|vigil_tsdb_head_chunks_bytes|nodejs_heap_space_size_total_bytes{space="(new|old)"}) /.test(l));
      console.log(`  vigil memory after ingestion: ${heap.map((l) => l.replace(/ (\S+)$/, (_, n) => ` ${(Number(n) / SERIES).toFixed(0)} B/series`)).join(', ')}`);
    }
    let disk = await compactedBytes(p);
    await stop(p);
    if (p.name === 'vigil') disk = await vigilOfflineSnapshot(p);
    p.proc = p.start();
    const restart = await waitReady(p);
    // Crash restart: start, kill -9 once ready, start again (the whole WAL is replayed).
    p.proc.kill('SIGKILL');
    await new Promise((r) => p.proc!.once('exit', r));
    p.proc = p.start();
    const crashRestart = await waitReady(p);
    await stop(p);
    results.set(p.name, { ingest: (SERIES * SAMPLES) / secs, rss: rss / SERIES, disk: disk / (SERIES * (SAMPLES + rounds)), restart, crashRestart });
    console.log(
      `  ${p.name.padEnd(17)} ingest ${Math.round((SERIES * SAMPLES) / secs).toLocaleString()} samples/s, +RSS ${(rss / SERIES).toFixed(0)} B/series, disk ${(disk / (SERIES * (SAMPLES + rounds))).toFixed(2)} B/sample, restart ${restart.toFixed(0)} ms, after kill -9 ${crashRestart.toFixed(0)} ms`,
    );
  }
  const v = results.get('vigil');
  if (v && results.size === 3) console.log('\nVigil as a ratio to each peer (ingest: higher is better; the rest: lower is better)');
  for (const peer of v && results.size === 3 ? ['prometheus', 'victoria-metrics'] : []) {
    const o = results.get(peer)!;
    console.log(
      `  vs ${peer.padEnd(17)} ingest ${(v!.ingest / o.ingest).toFixed(2)}×  memory/series ${(v!.rss / o.rss).toFixed(2)}×  disk/sample ${(v!.disk / o.disk).toFixed(2)}×  restart ${(v!.restart / o.restart).toFixed(2)}×  after kill -9 ${(v!.crashRestart / o.crashRestart).toFixed(2)}×`,
    );
  }
  console.log('note: memory is RSS growth over the idle process divided by series, at a fixed load of one sample per series every 5 s after the history was written (median of the readings in the second half of a 60 s phase); restart is process start to ready after a clean stop (Vigil: head snapshot + WAL after it) and after kill -9 (Vigil: the newest running head snapshot, if the WAL had grown enough for one, + the WAL after it).');
} finally {
  for (const p of peers) await stop(p);
  rmSync(work, { recursive: true, force: true });
}
