// Scraping side by side: Debian's prometheus, then Vigil (one at a time, on
// the same targets) scrape loopback targets of 2,000 series each (counters,
// histograms, gauges; every value changes on every scrape) every second.
// Targets are raised in steps until scrapes fall behind.
//
// Each system is started once on an empty storage directory with the first
// step's targets; every later step rewrites prometheus.yml and reloads it
// with SIGHUP (both servers reload on SIGHUP; loops of unchanged targets keep
// running, so the head keeps growing as in a real deployment), waits until
// every target has reported `up` and its loop has settled, then measures a
// window of --seconds seconds.
//
// Per step, everything comes from the server's own series, queried the same
// way for both at the window's end (after a short wait so the last scrapes
// are committed):
//   scrapes    sum(count_over_time(up{job="load"}[W]))       (N targets × W expected)
//   ok         sum(sum_over_time(up{job="load"}[W]))         successful scrapes
//   samples    sum(sum_over_time(scrape_samples_scraped{job="load"}[W]))
//   slowest    max(max_over_time(scrape_duration_seconds{job="load"}[W]))
// plus the server's CPU seconds (utime + stime of /proc/<pid>/stat) over the
// window, and the targets' process CPU (to show it is not the bottleneck).
// "Kept up": ok ≥ N × (W − 1) (a W-second window holds W or W−1 scrapes of
// a target depending on where they fall against its edges) and the slowest
// scrape stayed under the 1 s interval. The first step that does not keep up
// ends that system's run. Note that each server times its own scrapes:
// Prometheus's scrape_duration_seconds covers the HTTP request and reading
// the body; Vigil's also covers parsing and appending.
//
// Bounded: each system gets half of --budget seconds (default 520) and stops
// stepping when the next step would not fit; every process is stopped at the end.
//
//   npx tsx bench/scrape-compare.ts [--step 50] [--start 50] [--max-targets 800] [--seconds 10] [--budget 520]
//                                   [--only vigil] [--profile-dir DIR] [--node-args "--trace-gc"]
//
// --profile-dir runs Vigil under `node --cpu-prof --cpu-prof-dir=DIR` (the
// profile is written when it exits); summarise it with
// `npx tsx bench/cpuprofile-summary.ts DIR/*.cpuprofile`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERIES = 2000;
/** Bodies served in turn by each target, so every value changes on every scrape. */
const VARIANTS = 16;
const TICK = 100; // USER_HZ

function argv(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i > 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1]!;
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : def;
}

/** An exposition of 2,000 series shaped like a busy HTTP service; `v` moves every value. */
function body(v: number): string {
  const lines: string[] = [];
  let n = 0;
  const routes = Array.from({ length: 40 }, (_, i) => `/api/v1/resource/${i}`);
  lines.push('# HELP http_requests_total Requests handled.', '# TYPE http_requests_total counter');
  for (const route of routes)
    for (const method of ['GET', 'POST'])
      for (const status of ['200', '404', '500']) {
        lines.push(`http_requests_total{method="${method}",route="${route}",status="${status}"} ${1000 + n * 7 + v * (n % 13)}`);
        n++;
      }
  lines.push('# HELP http_request_duration_seconds Latency.', '# TYPE http_request_duration_seconds histogram');
  const les = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf'];
  for (const route of routes)
    for (const method of ['GET', 'POST']) {
      let cum = 0;
      for (const le of les) {
        cum += (n % 5) + v;
        lines.push(`http_request_duration_seconds_bucket{method="${method}",route="${route}",le="${le}"} ${cum + n++}`);
      }
      lines.push(`http_request_duration_seconds_sum{method="${method}",route="${route}"} ${(n * 0.37 + v * 1.113).toFixed(3)}`);
      lines.push(`http_request_duration_seconds_count{method="${method}",route="${route}"} ${cum + n++}`);
    }
  lines.push('# HELP worker_queue_depth Queued jobs.', '# TYPE worker_queue_depth gauge');
  let i = 0;
  while (n < SERIES) lines.push(`worker_queue_depth{queue="q${i++}",shard="${n % 16}"} ${((n++ * 1.5 + v * 3.25) % 97).toFixed(2)}`);
  return lines.join('\n') + '\n';
}

/** Child mode: serves `count` targets on loopback ports, prints the ports as one JSON line, exits with its parent. */
async function serveTargets(count: number): Promise<void> {
  const bodies = Array.from({ length: VARIANTS }, (_, v) => Buffer.from(body(v)));
  const ports: number[] = [];
  for (let k = 0; k < count; k++) {
    let turn = k; // targets start at different variants
    const server = createServer((_req, res) => {
      const b = bodies[turn++ % VARIANTS]!;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': b.length });
      res.end(b);
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    ports.push((server.address() as { port: number }).port);
  }
  process.stdout.write(JSON.stringify(ports) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / TICK;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface System {
  name: string;
  port: number;
  start(config: string, data: string, log: string): ChildProcess;
}

interface Row {
  targets: number;
  window: number;
  scrapes: number;
  ok: number;
  samplesPerSec: number;
  slowest: number;
  cpuPerMillion: number;
  cpuCores: number;
  targetCores: number;
  rss: number;
  keptUp: boolean;
}

async function query(port: number, q: string, time: number): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}&time=${time}`, { signal: AbortSignal.timeout(30_000) });
  const j = (await r.json()) as { status: string; error?: string; data?: { result: Array<{ value: [number, string] }> } };
  if (j.status !== 'success') throw new Error(`${q}: ${j.error}`);
  return j.data!.result.length ? Number(j.data!.result[0]!.value[1]) : 0;
}

async function waitReady(port: number, ms = 120_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/-/ready`, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`port ${port} not ready after ${ms} ms`);
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

async function main(): Promise<void> {
  const STEP = Number(argv('step', '50'));
  const START = Number(argv('start', String(STEP)));
  const MAX = Number(argv('max-targets', '800'));
  const SECONDS = Number(argv('seconds', '10'));
  const BUDGET = Number(argv('budget', '520'));
  const ONLY = argv('only', '').split(',').filter(Boolean);
  const profileDir = argv('profile-dir', '');
  const nodeExtra = argv('node-args', '').split(' ').filter(Boolean);
  const root = fileURLToPath(new URL('..', import.meta.url));
  const work = mkdtempSync(join(tmpdir(), 'vigil-scrape-compare-'));
  const keep = process.argv.includes('--keep');

  const all: System[] = [
    {
      name: 'prometheus',
      port: 20391,
      start: (config, data, log) => {
        const p = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${data}`, '--web.listen-address=127.0.0.1:20391', '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
        p.stderr!.pipe(createWriteStream(log));
        return p;
      },
    },
    {
      name: 'vigil',
      port: 20392,
      start: (config, data, log) => {
        const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir)}`] : [];
        nodeArgs.push(...nodeExtra);
        if (profileDir) mkdirSync(profileDir, { recursive: true });
        const p = spawn(process.execPath, [...nodeArgs, join(root, 'packages/cli/bin/vigil.js'), 'start', `--config.file=${config}`, `--storage.tsdb.path=${data}`, '--web.listen-address=127.0.0.1:20392', '--log.level=warn'], {
          stdio: ['ignore', nodeExtra.length ? 'pipe' : 'ignore', 'pipe'],
        });
        p.stderr!.pipe(createWriteStream(log));
        // Output of node flags such as --trace-gc goes to stdout: kept in the profile directory (or next to the log).
        if (nodeExtra.length) p.stdout!.pipe(createWriteStream(profileDir ? join(profileDir, 'vigil-stdout.log') : `${log}.stdout`));
        return p;
      },
    },
  ];
  const systems = all.filter((s) => ONLY.length === 0 || ONLY.includes(s.name));

  const steps: number[] = [];
  for (let n = START; n <= MAX; n += STEP) steps.push(n);
  const targetProc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', String(Math.max(...steps))], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ports = await new Promise<number[]>((res, rej) => {
    createInterface({ input: targetProc.stdout! }).once('line', (l) => res(JSON.parse(l) as number[]));
    targetProc.once('exit', (code) => rej(new Error(`target process exited with ${code}`)));
  });

  const writeConfig = (file: string, n: number) => {
    const list = ports
      .slice(0, n)
      .map((p) => `'127.0.0.1:${p}'`)
      .join(', ');
    writeFileSync(file, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: load\n    static_configs:\n      - targets: [${list}]\n`);
  };

  const results = new Map<string, Row[]>();
  const header = 'targets  scrapes ok/expected  samples/s   slowest ms  server CPU s/1M  server cores  targets cores  RSS MiB  kept up';
  try {
    console.log(`scrape compare: targets of ${SERIES} series (values change every scrape), 1 s interval, ${SECONDS} s window per step, steps ${steps[0]}..${steps[steps.length - 1]} by ${STEP}; reload by SIGHUP between steps`);
    for (const sys of systems) {
      const rows: Row[] = [];
      results.set(sys.name, rows);
      const config = join(work, `${sys.name}.yml`);
      const data = join(work, `${sys.name}-data`);
      const log = join(work, `${sys.name}.log`);
      const began = Date.now();
      const budgetMs = (BUDGET * 1000) / systems.length;
      writeConfig(config, steps[0]!);
      const proc = sys.start(config, data, log);
      console.log(`\n${sys.name} (pid ${proc.pid})`);
      console.log(header);
      try {
        await waitReady(sys.port);
        for (const [k, n] of steps.entries()) {
          // A step takes its window plus settling (~4 s) plus the query wait.
          if (k > 0 && Date.now() - began + (SECONDS + 8) * 1000 > budgetMs) {
            console.log(`(time budget for ${sys.name} used up before ${n} targets)`);
            break;
          }
          if (k > 0) {
            writeConfig(config, n);
            proc.kill('SIGHUP');
          }
          // Wait until every target has been scraped at least once, then one more interval.
          const settleStart = Date.now();
          while (Date.now() - settleStart < 15_000) {
            await sleep(500);
            const seen = await query(sys.port, 'count(up{job="load"})', Date.now() / 1000).catch(() => 0);
            if (seen >= n) break;
          }
          await sleep(k === 0 ? 3000 : 2000);
          const c0 = cpuSeconds(proc.pid!);
          const tc0 = cpuSeconds(targetProc.pid!);
          const t0 = Date.now();
          await sleep(SECONDS * 1000);
          const c1 = cpuSeconds(proc.pid!);
          const tc1 = cpuSeconds(targetProc.pid!);
          const t1 = Date.now();
          const rss = rssMiB(proc.pid!);
          const w = Math.round((t1 - t0) / 1000);
          // Scrapes started before t1 may still be committing: give them a moment.
          await sleep(1500);
          const at = t1 / 1000;
          const sel = `{job="load"}[${w}s]`;
          const scrapes = await query(sys.port, `sum(count_over_time(up${sel}))`, at);
          const ok = await query(sys.port, `sum(sum_over_time(up${sel}))`, at);
          const samples = await query(sys.port, `sum(sum_over_time(scrape_samples_scraped${sel}))`, at);
          const slowest = await query(sys.port, `max(max_over_time(scrape_duration_seconds${sel}))`, at);
          const secs = (t1 - t0) / 1000;
          const row: Row = {
            targets: n,
            window: w,
            scrapes,
            ok,
            samplesPerSec: samples / w,
            slowest,
            cpuPerMillion: samples > 0 ? (c1 - c0) / (samples / 1e6) : NaN,
            cpuCores: (c1 - c0) / secs,
            targetCores: (tc1 - tc0) / secs,
            rss,
            keptUp: ok >= n * (w - 1) && slowest < 1,
          };
          rows.push(row);
          console.log(
            [
              String(n).padStart(7),
              `${ok}/${n * w}`.padStart(20),
              Math.round(row.samplesPerSec).toLocaleString('en-US').padStart(10),
              (slowest * 1000).toFixed(0).padStart(12),
              row.cpuPerMillion.toFixed(2).padStart(16),
              row.cpuCores.toFixed(2).padStart(13),
              row.targetCores.toFixed(2).padStart(14),
              rss.toFixed(0).padStart(8),
              row.keptUp ? '  yes' : '  no (fell behind)',
            ].join(' '),
          );
          if (!row.keptUp) break;
        }
      } finally {
        await stop(proc);
        const errors = readFileSync(log, 'utf8').trim();
        if (errors) console.log(`${sys.name} log (warnings and errors):\n${errors.split('\n').slice(-5).join('\n')}`);
        if (!keep) rmSync(data, { recursive: true, force: true });
      }
    }

    const best = (name: string) => results.get(name)?.filter((r) => r.keptUp).at(-1);
    const fellBehind = (name: string) => results.get(name)?.some((r) => !r.keptUp) ?? false;
    console.log('\nhighest load kept up (samples/s from the server\'s scrape_samples_scraped over the window):');
    for (const name of results.keys()) {
      const b = best(name);
      console.log(
        `  ${name.padEnd(11)} ${b ? `${b.targets} targets, ${Math.round(b.samplesPerSec).toLocaleString('en-US')} samples/s${fellBehind(name) ? '' : ' (never fell behind: a lower bound)'}, ${b.cpuPerMillion.toFixed(2)} CPU s per million samples` : 'none'}`,
      );
    }
    const p = best('prometheus');
    const v = best('vigil');
    if (p && v) {
      const common = Math.min(p.targets, v.targets);
      const pc = results.get('prometheus')!.find((r) => r.targets === common)!;
      const vc = results.get('vigil')!.find((r) => r.targets === common)!;
      // CPU per sample compared over every step both kept up with (the load is the same there).
      const both = results.get('vigil')!.filter((r) => r.keptUp && r.targets <= common);
      const pAll = results.get('prometheus')!.filter((r) => r.keptUp && r.targets <= common);
      const avg = (rs: Row[]) => rs.reduce((s, r) => s + r.cpuPerMillion, 0) / rs.length;
      console.log('\nVigil / Prometheus:');
      console.log(`  highest kept-up rate     ${(v.samplesPerSec / p.samplesPerSec).toFixed(2)}×  (higher is better${fellBehind('prometheus') ? '' : '; Prometheus never fell behind, so this is an upper bound'})`);
      console.log(`  CPU s per 1M samples     ${(vc.cpuPerMillion / pc.cpuPerMillion).toFixed(2)}× at ${common} targets (${vc.cpuPerMillion.toFixed(2)} vs ${pc.cpuPerMillion.toFixed(2)}); ${(avg(both) / avg(pAll)).toFixed(2)}× averaged over steps up to ${common} (lower is better)`);
    }
  } finally {
    targetProc.stdin!.end();
    targetProc.kill('SIGTERM');
    if (!keep) rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
}

if (process.argv.includes('--serve')) await serveTargets(Number(process.argv[process.argv.indexOf('--serve') + 1]));
else await main();
