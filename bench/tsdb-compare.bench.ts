// Storage side by side: the same remote-write workload into Debian's
// prometheus, victoria-metrics and Vigil, one after the other, then
// ingestion rate, resident memory per series, bytes on disk per sample and
// restart (WAL replay) time, with Vigil's figures as ratios to each peer.
// Bounded: fixed series and sample counts; every process is stopped at the end.
//
//   npx tsx bench/tsdb-compare.bench.ts [--series 20000] [--samples 60]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappy';
import { writeRequestType } from '../packages/server/src/remote/index.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SERIES = arg('series', 20_000);
const SAMPLES = arg('samples', 60);
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
      return spawn('prometheus', [`--config.file=${join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${this.dataDir}`, `--web.listen-address=127.0.0.1:${this.port}`, '--web.enable-remote-write-receiver', '--log.level=error'], { stdio: 'ignore' });
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
      return spawn(process.execPath, [join(root, 'packages/cli/bin/vigil.js'), 'start', `--config.file=${join(work, 'vigil.yml')}`, `--storage.tsdb.path=${this.dataDir}`, `--web.listen-address=127.0.0.1:${this.port}`, '--web.enable-remote-write-receiver', '--log.level=error'], { stdio: 'ignore' });
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

/** Realistic-ish series: noisy counters, random-walk gauges with 4 decimals, histogram buckets. */
function workload(): Buffer[] {
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
  const bodies: Buffer[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const t = t0 + k * STEP;
    const timeseries = labels.map((ls, i) => {
      const kind = i % 5;
      if (kind < 2 || kind === 4) state[i] += Math.floor(Math.random() * 20);
      else state[i] = Math.round((state[i]! + (Math.random() - 0.5) * 0.4) * 10_000) / 10_000;
      return { labels: ls, samples: [{ value: state[i]!, timestamp: t }] };
    });
    bodies.push(snappy.compressSync(Buffer.from(type.encode(type.create({ timeseries })).finish())) as Buffer);
  }
  return bodies;
}

const results = new Map<string, { ingest: number; rss: number; disk: number; restart: number }>();
try {
  console.log(`workload: ${SERIES} series × ${SAMPLES} samples (${(SERIES * SAMPLES).toLocaleString()} samples), 15 s apart; one peer at a time`);
  const bodies = workload();
  for (const p of peers) {
    p.proc = p.start();
    await waitReady(p);
    await new Promise((r) => setTimeout(r, 1000));
    const rss0 = rssBytes(p.proc.pid!);
    const t0 = performance.now();
    for (const body of bodies) {
      const r = await fetch(`http://127.0.0.1:${p.port}${p.write}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
        body: new Uint8Array(body),
      });
      if (r.status >= 300) throw new Error(`${p.name}: remote write answered ${r.status} ${await r.text()}`);
    }
    const secs = (performance.now() - t0) / 1000;
    if (p.name === 'victoria-metrics') await fetch(`http://127.0.0.1:${p.port}/internal/force_flush`);
    await new Promise((r) => setTimeout(r, 2000));
    const rss = rssBytes(p.proc.pid!) - rss0;
    await stop(p);
    const disk = duBytes(p.dataDir);
    p.proc = p.start();
    const restart = await waitReady(p);
    await stop(p);
    results.set(p.name, { ingest: (SERIES * SAMPLES) / secs, rss: rss / SERIES, disk: disk / (SERIES * SAMPLES), restart });
    console.log(`  ${p.name.padEnd(17)} ingest ${Math.round((SERIES * SAMPLES) / secs).toLocaleString()} samples/s, +RSS ${(rss / SERIES).toFixed(0)} B/series, disk ${(disk / (SERIES * SAMPLES)).toFixed(2)} B/sample, restart ${restart.toFixed(0)} ms`);
  }
  const v = results.get('vigil')!;
  console.log('\nVigil as a ratio to each peer (ingest: higher is better; the rest: lower is better)');
  for (const peer of ['prometheus', 'victoria-metrics']) {
    const o = results.get(peer)!;
    console.log(
      `  vs ${peer.padEnd(17)} ingest ${(v.ingest / o.ingest).toFixed(2)}×  memory/series ${(v.rss / o.rss).toFixed(2)}×  disk/sample ${(v.disk / o.disk).toFixed(2)}×  restart ${(v.restart / o.restart).toFixed(2)}×`,
    );
  }
  console.log('note: disk is what each keeps right after ingestion (Prometheus: WAL + head chunks, no compaction yet; Vigil: WAL).');
} finally {
  for (const p of peers) await stop(p);
  rmSync(work, { recursive: true, force: true });
}
