// Restart at scale: Debian's prometheus, then Vigil (one at a time), get the
// same remote-write history — 200,000 series × 2 h at 15 s (480 samples a
// series, 96 million samples; noisy counters, random-walk gauges with four
// decimals, histogram buckets; seeded, so both get the same values) — and are
// then restarted twice on the same directory:
//
//   kill -9    SIGKILL, start again: the whole WAL is replayed (Prometheus:
//              WAL plus the m-mapped head chunks it keeps in chunks_head/)
//   clean      SIGTERM, wait for the exit, start again (Vigil: head
//              snapshot written at the stop; Prometheus 2.42 by default has no
//              snapshot and replays as after a crash)
//
// Each restart is timed from the spawn until the server answers a range
// query that returns the newest sample of the last-written series with its
// exact timestamp and value (so "ready" means "serving the data", not only
// listening). Afterwards, untimed, every series must be there
// (count of the series at the last timestamp) and the checked series must
// hold all its samples.
//
// Vigil runs from a bundle of the current sources (built into
// packages/cli/dist/ by esbuild, as `npm run build` does, and deleted at the
// end), as an installed `vigil` runs. With the default 2-hour block range
// neither server cuts a block from 2 hours of history, so both replay the
// same WAL content.
//
// Bounded: a fixed history, writers in lock step (every request of a
// timestamp is answered before the next timestamp is sent), 240 s at most per
// restart and a 19-minute deadline for the whole run; every process started
// is stopped at the end.
//
//   npx tsx bench/tsdb-restart.bench.ts [--series 200000] [--samples 480] [--only vigil]
//                                       [--save-crash-dir DIR] [--profile-dir DIR]
//
// --save-crash-dir copies Vigil's directory as the kill -9 left it (for
// profiling replay offline: bench/tsdb-replay-profile.ts). --profile-dir
// runs Vigil's clean-stop restart under `node --cpu-prof` (the profile is
// written when it exits).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import snappy from 'snappy';
import { rng } from '../packages/server/src/testutil/rng.ts';

function argv(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i > 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1]!;
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : def;
}

const SERIES = Number(argv('series', '200000'));
const SAMPLES = Number(argv('samples', '480'));
const ONLY = argv('only', '') ? argv('only', '').split(',') : undefined;
const SAVE_CRASH_DIR = argv('save-crash-dir', '');
const PROFILE_DIR = argv('profile-dir', '');
const WRITERS = 4;
const STEP = 15_000;
const RESTART_LIMIT_MS = 240_000;
const DEADLINE_MS = 19 * 60_000;
const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'vigil-restart-bench-'));
const bundle = join(root, 'packages/cli/dist', `restart-bench-${process.pid}.mjs`);
const benchStart = performance.now();

const elapsed = () => `${((performance.now() - benchStart) / 1000).toFixed(0)} s`;

interface Peer {
  name: string;
  port: number;
  dataDir: string;
  args(profile: boolean): [string, string[]];
  proc?: ChildProcess;
}

const peers: Peer[] = [
  {
    name: 'prometheus',
    port: 20291,
    dataDir: join(work, 'prometheus'),
    args() {
      writeFileSync(join(work, 'prometheus.yml'), 'global: {scrape_interval: 1h}\n');
      return ['prometheus', [`--config.file=${join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${this.dataDir}`, `--web.listen-address=127.0.0.1:${this.port}`, '--web.enable-remote-write-receiver', '--log.level=error']];
    },
  },
  {
    name: 'vigil',
    port: 20293,
    dataDir: join(work, 'vigil'),
    args(profile) {
      writeFileSync(join(work, 'vigil.yml'), 'global: {scrape_interval: 1h}\n');
      const prof = profile && PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${resolve(PROFILE_DIR)}`] : [];
      const run = `const { main } = await import(${JSON.stringify(bundle)}); process.exitCode = await main(process.argv.slice(1));`;
      return [process.execPath, [...prof, '--input-type=module', '-e', run, 'start', `--config.file=${join(work, 'vigil.yml')}`, `--storage.tsdb.path=${this.dataDir}`, `--web.listen-address=127.0.0.1:${this.port}`, '--web.enable-remote-write-receiver', '--log.level=error']];
    },
  },
];

function start(p: Peer, profile = false): ChildProcess {
  const [cmd, args] = p.args(profile);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // Start-up banners go to stderr; kept (the last 4 KiB) and shown only if the process fails.
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4096)));
  child.once('exit', (code) => {
    if (code !== null && code !== 0) console.error(`${p.name} exited with ${code}:\n${err}`);
  });
  p.proc = child;
  return child;
}

async function stop(p: Peer, signal: NodeJS.Signals = 'SIGTERM', waitMs = 120_000): Promise<number> {
  const child = p.proc;
  const t0 = performance.now();
  if (!child || child.exitCode !== null || child.signalCode !== null) return 0;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await Promise.race([exited, new Promise((r) => setTimeout(r, waitMs))]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
  return performance.now() - t0;
}

function labelsOf(i: number): Array<[string, string]> {
  const kind = i % 5;
  const inst = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:9100`;
  if (kind < 2) return [['__name__', 'http_requests_total'], ['instance', inst], ['job', 'api'], ['route', `/r${i % 37}`]];
  if (kind < 4) return [['__name__', 'node_temperature_celsius'], ['instance', inst], ['job', 'node'], ['sensor', `s${i % 11}`]];
  return [['__name__', 'request_duration_seconds_bucket'], ['instance', inst], ['job', 'api'], ['le', ['0.1', '0.5', '1.0', '5.0', '+Inf'][i % 5]!]];
}

function varintLen(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

function putVarint(b: Buffer, off: number, v: number): number {
  while (v >= 0x80) {
    b[off++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  b[off++] = v;
  return off;
}

/** A prometheus.Label list as protobuf bytes (TimeSeries field 1, repeated). */
function encodeLabels(labels: Array<[string, string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [n, v] of labels) {
    const nb = Buffer.from(n);
    const vb = Buffer.from(v);
    const inner = Buffer.concat([Buffer.from([0x0a, nb.length]), nb, Buffer.from([0x12, vb.length]), vb]);
    parts.push(Buffer.from([0x0a, inner.length]), inner);
  }
  return Buffer.concat(parts);
}

/**
 * Remote-write bodies, one timestamp at a time: bodies(k) is timestamp k's
 * WriteRequest for each writer's shard (series i goes to writer i % 4, so
 * per-series order holds), snappy-compressed. Protobuf written by hand from
 * pre-encoded labels: generating 96M samples through protobufjs would take
 * longer than sending them.
 */
function workload(t0: number): { bodies(k: number): Buffer[]; last: { sel: string; t: number; v: number } } {
  const labelBytes = Array.from({ length: SERIES }, (_, i) => encodeLabels(labelsOf(i)));
  const state = new Float64Array(SERIES);
  for (let i = 0; i < SERIES; i++) state[i] = i % 5 >= 2 && i % 5 < 4 ? 40 + (i % 20) : 0;
  const rand = rng(42);
  const sizes = new Array<number>(WRITERS).fill(0);
  const tsLen = varintLen(t0 + SAMPLES * STEP);
  const sampleLen = 1 + 8 + 1 + tsLen;
  for (let i = 0; i < SERIES; i++) {
    const body = labelBytes[i]!.length + 2 + sampleLen;
    sizes[i % WRITERS] += 1 + varintLen(body) + body;
  }
  const bufs = sizes.map((s) => Buffer.allocUnsafe(s));
  const lastSeries = SERIES - 1;
  const last = { sel: `{${labelsOf(lastSeries).map(([n, v]) => `${n}="${v}"`).join(',')}}`, t: t0 + (SAMPLES - 1) * STEP, v: 0 };
  return {
    last,
    bodies(k: number): Buffer[] {
      const t = t0 + k * STEP;
      const offs = new Array<number>(WRITERS).fill(0);
      for (let i = 0; i < SERIES; i++) {
        const kind = i % 5;
        if (kind < 2 || kind === 4) state[i] += Math.floor(rand() * 20);
        else state[i] = Math.round((state[i]! + (rand() - 0.5) * 0.4) * 10_000) / 10_000;
        const w = i % WRITERS;
        const b = bufs[w]!;
        const lb = labelBytes[i]!;
        let o = offs[w]!;
        b[o++] = 0x0a;
        o = putVarint(b, o, lb.length + 2 + sampleLen);
        o += lb.copy(b, o);
        b[o++] = 0x12;
        b[o++] = sampleLen;
        b[o++] = 0x09;
        b.writeDoubleLE(state[i]!, o);
        o += 8;
        b[o++] = 0x10;
        o = putVarint(b, o, t);
        offs[w] = o;
      }
      if (k === SAMPLES - 1) last.v = state[lastSeries]!;
      return bufs.map((b) => snappy.compressSync(b) as Buffer);
    },
  };
}

async function send(p: Peer, body: Buffer): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${p.port}/api/v1/write`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
    body: new Uint8Array(body),
  });
  if (r.status >= 300) throw new Error(`${p.name}: remote write answered ${r.status} ${await r.text()}`);
}

async function query(p: Peer, q: string, t: number): Promise<{ ok: boolean; result?: Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }> }> {
  try {
    const r = await fetch(`http://127.0.0.1:${p.port}/api/v1/query?query=${encodeURIComponent(q)}&time=${t / 1000}`);
    if (!r.ok) return { ok: false };
    const j = (await r.json()) as { data: { result: Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }> } };
    return { ok: true, result: j.data.result };
  } catch {
    return { ok: false };
  }
}

/** Whether the newest sample of the checked series is served with its exact time and value. */
async function servesLast(p: Peer, last: { sel: string; t: number; v: number }): Promise<boolean> {
  const r = await query(p, `${last.sel}[1m]`, last.t);
  const vals = r.result?.[0]?.values;
  if (!vals?.length) return false;
  const [t, v] = vals[vals.length - 1]!;
  return Math.round(t * 1000) === last.t && Number(v) === last.v;
}

/** Spawn to "serves the newest sample", in ms. */
async function timedStart(p: Peer, last: { sel: string; t: number; v: number }, profile = false): Promise<number> {
  const t0 = performance.now();
  const child = start(p, profile);
  while (performance.now() - t0 < RESTART_LIMIT_MS) {
    if (child.exitCode !== null) throw new Error(`${p.name} exited with ${child.exitCode} while starting`);
    if (await servesLast(p, last)) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${p.name} did not serve the newest sample within ${RESTART_LIMIT_MS} ms`);
}

/** Untimed: every series present at the last timestamp, and all samples of the checked series. */
async function verify(p: Peer, last: { sel: string; t: number; v: number }): Promise<void> {
  const n = await query(p, 'count({job=~"api|node"})', last.t);
  const c = await query(p, `count_over_time(${last.sel}[3h])`, last.t);
  const series = Number(n.result?.[0]?.value?.[1]);
  const samples = Number(c.result?.[0]?.value?.[1]);
  if (series !== SERIES || samples !== SAMPLES) throw new Error(`${p.name}: serves ${series} series (want ${SERIES}) and ${samples} samples of the checked series (want ${SAMPLES})`);
}

function du(dir: string): number {
  return existsSync(dir) ? Number(spawnSync('du', ['-sb', dir], { encoding: 'utf8' }).stdout.split('\t')[0]) : 0;
}

const mb = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;

const deadline = setTimeout(() => {
  console.error(`deadline of ${DEADLINE_MS / 60_000} minutes reached: stopping`);
  for (const p of peers) p.proc?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
  rmSync(bundle, { force: true });
  rmSync(`${bundle}.map`, { force: true });
  process.exit(2);
}, DEADLINE_MS);
deadline.unref();

const results = new Map<string, { load: number; crash: number; stopMs: number; clean: number; wal: string }>();
try {
  await build({
    entryPoints: [join(root, 'packages/cli/src/main.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __vigilCreateRequire } from 'node:module'; const require = __vigilCreateRequire(import.meta.url);" },
    plugins: [{ name: 'external', setup: (b) => void b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('@vigil/') || a.path.startsWith('node:') ? undefined : { path: a.path, external: true })) }],
  });
  console.log(`history: ${SERIES.toLocaleString()} series × ${SAMPLES} samples 15 s apart (${(SERIES * SAMPLES).toLocaleString()} samples), ${WRITERS} writers; one server at a time`);
  const t0 = Math.floor((Date.now() - SAMPLES * STEP) / STEP) * STEP;
  for (const p of peers.filter((x) => !ONLY || ONLY.includes(x.name))) {
    const w = workload(t0);
    start(p);
    const ready0 = performance.now();
    while (!(await query(p, 'vector(1)', t0)).ok) {
      if (performance.now() - ready0 > 60_000) throw new Error(`${p.name} not ready`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const l0 = performance.now();
    let next = 0;
    for (let k = 0; k < SAMPLES; k++) {
      const shards = w.bodies(k);
      await Promise.all(shards.map((b) => send(p, b)));
      if ((k + 1) / SAMPLES >= next) {
        console.log(`  ${p.name}: ${k + 1}/${SAMPLES} timestamps written, ${Math.round(((k + 1) * SERIES) / ((performance.now() - l0) / 1000)).toLocaleString()} samples/s (${elapsed()})`);
        next += 0.1;
      }
    }
    const load = (performance.now() - l0) / 1000;
    if (!(await servesLast(p, w.last))) throw new Error(`${p.name}: newest sample not served after writing`);
    await verify(p, w.last);

    // kill -9, then start again.
    await stop(p, 'SIGKILL');
    const snap = join(p.dataDir, 'head.snapshot');
    const wal = `WAL ${mb(du(join(p.dataDir, 'wal')))}${p.name === 'prometheus' ? `, chunks_head ${mb(du(join(p.dataDir, 'chunks_head')))}` : existsSync(snap) ? `, head.snapshot ${mb(du(snap))}` : ''}`;
    if (SAVE_CRASH_DIR && p.name === 'vigil') {
      rmSync(SAVE_CRASH_DIR, { recursive: true, force: true });
      cpSync(p.dataDir, SAVE_CRASH_DIR, { recursive: true });
      rmSync(join(SAVE_CRASH_DIR, 'lock'), { force: true });
    }
    console.log(`  ${p.name}: killed with SIGKILL (${wal}); starting again (${elapsed()})`);
    const crash = await timedStart(p, w.last);
    console.log(`  ${p.name}: serving the newest sample ${crash.toFixed(0)} ms after the spawn (${elapsed()})`);
    await verify(p, w.last);

    // Clean stop, then start again.
    const stopMs = await stop(p, 'SIGTERM');
    if (p.proc?.exitCode !== 0 && p.proc?.signalCode !== 'SIGTERM') console.log(`  ${p.name}: clean stop ended with ${p.proc?.exitCode ?? p.proc?.signalCode}`);
    if (PROFILE_DIR && p.name === 'vigil') mkdirSync(PROFILE_DIR, { recursive: true });
    const clean = await timedStart(p, w.last, true);
    console.log(`  ${p.name}: stopped in ${stopMs.toFixed(0)} ms; after the clean stop, serving the newest sample ${clean.toFixed(0)} ms after the spawn (${elapsed()})`);
    await verify(p, w.last);
    await stop(p, 'SIGTERM');
    rmSync(p.dataDir, { recursive: true, force: true });
    results.set(p.name, { load, crash, stopMs, clean, wal });
  }

  const pr = results.get('prometheus');
  const vi = results.get('vigil');
  const fmt = (ms: number | undefined) => (ms === undefined ? '—' : `${Math.round(ms).toLocaleString()} ms`);
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '—' : `${(a / b).toFixed(2)}×`);
  console.log(`\nrestart, spawn to serving the newest sample (${SERIES.toLocaleString()} series × ${SAMPLES} samples)`);
  console.log('| | prometheus | Vigil | Vigil / prometheus |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| after kill -9 | ${fmt(pr?.crash)} | ${fmt(vi?.crash)} | ${ratio(vi?.crash, pr?.crash)} |`);
  console.log(`| after a clean stop | ${fmt(pr?.clean)} | ${fmt(vi?.clean)} | ${ratio(vi?.clean, pr?.clean)} |`);
  console.log(`| clean stop took | ${fmt(pr?.stopMs)} | ${fmt(vi?.stopMs)} | |`);
  console.log(`| on disk at the kill | ${pr?.wal ?? '—'} | ${vi?.wal ?? '—'} | |`);
  console.log(`| writing the history | ${pr ? `${pr.load.toFixed(0)} s` : '—'} | ${vi ? `${vi.load.toFixed(0)} s` : '—'} | |`);
} finally {
  for (const p of peers) await stop(p, 'SIGKILL');
  rmSync(work, { recursive: true, force: true });
  rmSync(bundle, { force: true });
  rmSync(`${bundle}.map`, { force: true });
}
