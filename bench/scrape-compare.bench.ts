// Scraping side by side: Debian's prometheus and Vigil scrape the same
// loopback targets (2,000 series each: counters, histograms, gauges; values
// change every scrape) every second; targets are added in steps until scrapes
// fall behind. Per step and system: scrapes done in a 10 s window (from the
// server's own `up` series), the slowest scrape (`scrape_duration_seconds`),
// and the server's CPU time per million samples scraped (/proc/<pid>/stat).
// "Kept up": every target scraped at least N-1.5 times in the N-second window
// (where scrapes fall against the window's edges costs one) and no scrape
// slower than the interval. Each step starts each server fresh on an empty storage
// directory; targets run in a child process so their CPU is not counted.
// Bounded: a fixed list of steps, about 20 s per step and system.
//
//   npx tsx bench/scrape-compare.bench.ts [--steps 10,20,40,60,80,100] [--seconds 10]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const argv = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : def;
};
const STEPS = argv('steps', '10,20,40,60,80,100').split(',').map(Number);
const SECONDS = Number(argv('seconds', '10'));
const SERIES = 2000;
const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'vigil-scrape-cmp-'));
const TICK = 100; // USER_HZ

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / TICK;
}

async function startTargets(n: number): Promise<{ child: ChildProcess; ports: number[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/scrape-throughput.bench.ts'), '--serve', String(n)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { child, ports: JSON.parse(line) as number[] };
}

interface System {
  name: string;
  port: number;
  start(config: string, data: string): ChildProcess;
}

const systems: System[] = [
  {
    name: 'prometheus',
    port: 20291,
    start: (config, data) => spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${data}`, '--web.listen-address=127.0.0.1:20291', '--log.level=error'], { stdio: 'ignore' }),
  },
  {
    name: 'vigil',
    port: 20292,
    start: (config, data) =>
      spawn(process.execPath, [join(root, 'packages/cli/bin/vigil.js'), 'start', `--config.file=${config}`, `--storage.tsdb.path=${data}`, '--web.listen-address=127.0.0.1:20292', '--log.level=error'], { stdio: 'ignore' }),
  },
];

async function query(port: number, q: string, time: number): Promise<number> {
  const r = (await (await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}&time=${time}`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
  return r.data.result.length ? Number(r.data.result[0]!.value[1]) : 0;
}

async function waitReady(port: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} not ready`);
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

interface Row {
  targets: number;
  scrapes: number;
  expected: number;
  slowest: number;
  cpuPerMillion: number;
  samplesPerSec: number;
  keptUp: boolean;
}

const targets = await startTargets(Math.max(...STEPS));
const results = new Map<string, Row[]>();
try {
  console.log(`targets of ${SERIES} series, scraped every 1 s; ${SECONDS} s measured per step`);
  for (const sys of systems) {
    const rows: Row[] = [];
    results.set(sys.name, rows);
    for (const n of STEPS) {
      const config = join(work, `${sys.name}-${n}.yml`);
      const list = targets.ports
        .slice(0, n)
        .map((p) => `'127.0.0.1:${p}'`)
        .join(', ');
      writeFileSync(config, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: load\n    static_configs:\n      - targets: [${list}]\n`);
      const data = join(work, `${sys.name}-${n}-data`);
      const proc = sys.start(config, data);
      try {
        await waitReady(sys.port);
        await new Promise((r) => setTimeout(r, 4000)); // every target scraped a few times
        const c0 = cpuSeconds(proc.pid!);
        await new Promise((r) => setTimeout(r, SECONDS * 1000));
        const c1 = cpuSeconds(proc.pid!);
        const t = Date.now() / 1000;
        const scrapes = await query(sys.port, `sum(count_over_time(up{job="load"}[${SECONDS}s]))`, t);
        const upOk = await query(sys.port, `sum(sum_over_time(up{job="load"}[${SECONDS}s]))`, t);
        const perScrape = (await query(sys.port, `avg(scrape_samples_scraped{job="load"})`, t)) || SERIES;
        const slowest = await query(sys.port, `max(max_over_time(scrape_duration_seconds{job="load"}[${SECONDS}s]))`, t);
        const expected = n * SECONDS;
        const samples = upOk * perScrape;
        const row: Row = {
          targets: n,
          scrapes,
          expected,
          slowest,
          cpuPerMillion: samples > 0 ? (c1 - c0) / (samples / 1e6) : NaN,
          samplesPerSec: samples / SECONDS,
          // A window of N intervals holds N or N-1 scrapes of a target depending on where the
          // scrapes fall, so one missing scrape per target is not falling behind.
          keptUp: upOk >= n * (SECONDS - 1.5) && slowest < 1,
        };
        rows.push(row);
        console.log(
          `  ${sys.name.padEnd(11)} ${String(n).padStart(4)} targets: ${upOk}/${expected} successful scrapes, slowest ${(slowest * 1000).toFixed(0)} ms, ${Math.round(row.samplesPerSec).toLocaleString()} samples/s, ${row.cpuPerMillion.toFixed(2)} CPU s per million samples${row.keptUp ? '' : '  ← fell behind'}`,
        );
        if (!row.keptUp) break;
      } finally {
        await stop(proc);
        rmSync(data, { recursive: true, force: true });
      }
    }
  }
  const best = (name: string) => {
    const kept = results.get(name)!.filter((r) => r.keptUp);
    return kept.length ? kept[kept.length - 1]! : undefined;
  };
  const p = best('prometheus');
  const v = best('vigil');
  console.log('');
  for (const [name, b] of [
    ['prometheus', p],
    ['vigil', v],
  ] as const) {
    console.log(`${name.padEnd(11)} highest load kept up: ${b ? `${b.targets} targets, ${Math.round(b.samplesPerSec).toLocaleString()} samples/s` : 'none'}; CPU s per million samples there: ${b ? b.cpuPerMillion.toFixed(2) : '-'}`);
  }
  if (p && v) {
    // CPU per sample compared at the same load: the highest step both kept up with.
    const common = Math.min(p.targets, v.targets);
    const pc = results.get('prometheus')!.find((r) => r.targets === common)!;
    const vc = results.get('vigil')!.find((r) => r.targets === common)!;
    console.log(`Vigil / Prometheus: kept-up rate ${(v.samplesPerSec / p.samplesPerSec).toFixed(2)}× (higher is better; capped by the largest step), CPU per million samples at ${common} targets ${(vc.cpuPerMillion / pc.cpuPerMillion).toFixed(2)}× (lower is better)`);
  }
} finally {
  targets.child.stdin!.end();
  targets.child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
