// One group of alerting rules evaluated over the same generated data by
// Debian's prometheus (its own `prometheus_rule_group_last_duration_seconds`)
// and by Vigil's rule group (in-process, over its TSDB), at the same
// evaluation timestamps. Prints the median evaluation time per cycle, the
// active alerts each holds, and the ratio. Bounded by --rules and --scale
// (the issue's target is 1,000 rules over 100k series: --scale 1042).
//
// Prometheus evaluates on the wall clock, so the data must be current when it
// does: the series cover [now − 30 min, now + 25 min] (under the hour of
// head Prometheus accepts out of order across series) and go to Prometheus by
// remote write (blocks reaching past "now" would put its ALERTS writes out of
// bounds). Its cycles are counted from the first one that started after the
// data was in; Vigil then evaluates at exactly those timestamps (the first
// one warms up, as for Prometheus), so both see the same windows and walk
// the same pending → firing transitions.
//
//   npx tsx bench/rules-eval.bench.ts [--rules N] [--scale N] [--cycles N]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappy';
import { createEngine } from '../packages/server/src/promql/index.ts';
import { openDB } from '../packages/server/src/tsdb/index.ts';
import { writeRequestType } from '../packages/server/src/remote/index.ts';
import { buildGroups, engineQueryFunc, ruleParseOptions } from '../packages/server/src/rules/index.ts';
import { parseRuleFile } from '../packages/server/src/model/rulefmt/index.ts';
import { generate, loadInto, type GenSeries } from '../test/e2e/promql-data.ts';
import { numArg } from './args.ts';

const nRules = numArg('--rules', 200);
const scale = numArg('--scale', 20);
const cycles = numArg('--cycles', 3);
const INTERVAL = 15_000;

const EXPRS = [
  (k: number) => `sum by (job, instance) (rate(http_requests_total{status=~"5.."}[5m])) > ${k / 100}`,
  (k: number) => `up == 0 and on (instance) vector(${k}) > 0`,
  (k: number) => `avg_over_time(node_temperature_celsius[5m]) > ${20 + (k % 40)}`,
  (k: number) => `histogram_quantile(0.99, sum by (le, job) (rate(request_duration_seconds_bucket[5m]))) > ${(k % 10) / 10}`,
  (k: number) => `node_memory_bytes / 1e9 > ${k % 50}`,
];

function ruleFile(): string {
  let s = `groups:\n  - name: bench\n    interval: ${INTERVAL / 1000}s\n    rules:\n`;
  for (let i = 0; i < nRules; i++) {
    s += `      - alert: Bench${i}\n        expr: '${EXPRS[i % EXPRS.length]!(i)}'\n        for: 1m\n        labels: {severity: warning}\n        annotations: {summary: '{{ $labels.instance }} value {{ humanize $value }}'}\n`;
  }
  return s;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Sends the series to a remote-write receiver, 500 whole series per request, 4 requests in flight. */
async function remoteWrite(url: string, data: GenSeries[]): Promise<void> {
  const type = writeRequestType();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const from = next;
      next += 500;
      if (from >= data.length) return;
      const timeseries = data.slice(from, from + 500).map((s) => ({
        labels: Object.entries(s.labels)
          .map(([name, value]) => ({ name, value }))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
        samples: s.ts.map((t, i) => ({ value: s.vs[i]!, timestamp: t })),
      }));
      const body = snappy.compressSync(Buffer.from(type.encode(type.create({ timeseries })).finish())) as Buffer;
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
        body: new Uint8Array(body),
      });
      if (r.status >= 300) throw new Error(`remote write answered ${r.status} ${await r.text()}`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

async function metric(port: number, name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const m = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-bench-'));
const now = Math.floor(Date.now() / 1000) * 1000;
const data = generate({ start: now - 30 * 60_000, duration: 55 * 60_000, scale, seed: 5 });
console.log(`data: ${data.length} series over 55 min (scale ${scale}); ${nRules} alerting rules; median of ${cycles} cycles`);
writeFileSync(join(dir, 'rules.yml'), ruleFile());
const port = 21800 + (process.pid % 100);
writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1h\n  evaluation_interval: ${INTERVAL / 1000}s\nrule_files: [rules.yml]\n`);
const prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--storage.tsdb.retention.time=100y', '--log.level=error'], { stdio: 'ignore' });
let promExited = false;
prom.once('exit', () => (promExited = true));
const promTimes: number[] = [];
const evalTimes: number[] = [];
let promAlerts = 'n/a';
try {
  for (let i = 0; (await metric(port, 'prometheus_rule_group_iterations_total')) === undefined; i++) {
    if (i > 600 || promExited) throw new Error('prometheus did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const t0 = Date.now();
  await remoteWrite(`http://127.0.0.1:${port}/api/v1/write`, data);
  const loadedAt = Date.now();
  console.log(`prometheus: data written by remote write in ${((loadedAt - t0) / 1000).toFixed(1)} s`);
  // Cycles whose evaluation started after the data was in; the first warms up.
  let last = -1;
  // At 100k series one Prometheus cycle takes minutes; one may be under way when the data is in.
  let deadline = Date.now() + 900_000;
  while (promTimes.length < cycles + 1 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const ts = await metric(port, 'prometheus_rule_group_last_evaluation_timestamp_seconds');
    const d = await metric(port, 'prometheus_rule_group_last_duration_seconds');
    if (ts === undefined || d === undefined || ts === last) continue;
    last = ts;
    if (ts * 1000 < loadedAt) continue;
    promTimes.push(d * 1000);
    // Prometheus queries at the evaluation time truncated to ms (timestamp.FromTime); the gauge keeps the nanoseconds.
    evalTimes.push(Math.floor(ts * 1000));
    deadline = Date.now() + 60_000 + 3 * Math.max(INTERVAL, d * 1000);
  }
  if (evalTimes.length > 0) {
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('count(ALERTS)')}&time=${evalTimes.at(-1)! / 1000}`);
    const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
    promAlerts = body.data.result[0]?.value[1] ?? '0';
  }
} finally {
  prom.kill('SIGTERM');
  if (!promExited) await new Promise((r) => prom.once('exit', r));
}
if (evalTimes.length < 2) throw new Error(`prometheus finished ${evalTimes.length} cycles after the data was in`);

const db = await openDB({ dir: join(dir, 'vigil') });
try {
  await loadInto(db, data);
  const query = engineQueryFunc(createEngine(), db);
  const rf = parseRuleFile(join(dir, 'rules.yml'), ruleFile(), ruleParseOptions());
  const [group] = buildGroups(rf, { interval: INTERVAL, queryOffset: 0 }, { query, appendable: db, externalLabels: [], externalURL: '' });
  const vigil: number[] = [];
  for (const [c, t] of evalTimes.entries()) {
    await group!.evalAt(t);
    if (c > 0) vigil.push(group!.evaluationTime * 1000);
    const bad = group!.rules.find((r) => r.health === 'err');
    if (bad) throw new Error(`vigil rule ${bad.name}: ${bad.lastError}`);
  }
  let alerts = 0;
  // Pending and firing, as ALERTS counts them (resolved alerts stay in the rule's map for 15 min to resend).
  for (const r of group!.rules) for (const a of (r as unknown as { active: Map<string, { state: string }> }).active.values()) if (a.state !== 'inactive') alerts++;
  const v = median(vigil);
  const p = median(promTimes.slice(1));
  console.log(`evaluation times: ${evalTimes.map((t) => `${((t - now) / 1000).toFixed(0)} s`).join(', ')} after the bench started`);
  console.log(`prometheus: ${p.toFixed(1)} ms per cycle (${promAlerts} active alerts; cycles ${promTimes.map((x) => x.toFixed(0)).join(', ')} ms)`);
  console.log(`vigil: ${v.toFixed(1)} ms per cycle (${alerts} active alerts; cycles ${vigil.map((x) => x.toFixed(0)).join(', ')} ms)`);
  console.log(`rules-eval: vigil / prometheus = ${(v / p).toFixed(2)}`);
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
