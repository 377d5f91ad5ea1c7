// One group of alerting rules evaluated over the same generated data by
// Vigil's rule group (in-process, over its TSDB) and by Debian's prometheus
// (its own `prometheus_rule_group_last_duration_seconds`). Prints the
// median evaluation time per cycle and the ratio. Bounded by --rules and
// --scale (the target is 1,000 rules over 100k series).
//
//   npx tsx bench/rules-eval.bench.ts [--rules N] [--scale N] [--cycles N]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../packages/server/src/promql/index.ts';
import { openDB } from '../packages/server/src/tsdb/index.ts';
import { buildGroups, engineQueryFunc, ruleParseOptions } from '../packages/server/src/rules/index.ts';
import { parseRuleFile } from '../packages/server/src/model/rulefmt/index.ts';
import { createBlocks, generate, loadInto } from '../test/e2e/promql-data.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const nRules = opt('--rules', 200);
const scale = opt('--scale', 20);
const cycles = opt('--cycles', 3);
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

const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-bench-'));
const now = Math.floor(Date.now() / 1000) * 1000;
const data = generate({ start: now - 3600_000, duration: 3600_000, scale, seed: 5 });
console.log(`data: ${data.length} series over 1h (scale ${scale}); ${nRules} alerting rules; median of ${cycles} cycles`);
writeFileSync(join(dir, 'rules.yml'), ruleFile());
createBlocks(data, dir);
const db = await openDB({ dir: join(dir, 'vigil') });
const port = 21800 + (process.pid % 100);
writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1h\n  evaluation_interval: ${INTERVAL / 1000}s\nrule_files: [rules.yml]\n`);
const prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=100y', '--log.level=error'], { stdio: 'ignore' });
try {
  await loadInto(db, data);
  const storage = db;
  const query = engineQueryFunc(createEngine(), storage);
  const rf = parseRuleFile(join(dir, 'rules.yml'), ruleFile(), ruleParseOptions());
  const [group] = buildGroups(rf, { interval: INTERVAL, queryOffset: 0 }, { query, appendable: storage, externalLabels: [], externalURL: '' });
  const vigil: number[] = [];
  let alerts = 0;
  for (let c = 0; c <= cycles; c++) {
    await group!.evalAt(now + c * INTERVAL);
    if (c > 0) vigil.push(group!.evaluationTime * 1000); // the first cycle warms up
    const bad = group!.rules.find((r) => r.health === 'err');
    if (bad) throw new Error(`vigil rule ${bad.name}: ${bad.lastError}`);
  }
  for (const r of group!.rules) alerts += (r as unknown as { active: Map<string, unknown> }).active.size;
  const v = median(vigil);
  // Prometheus: read its own last-duration gauge once per cycle.
  const promTimes: number[] = [];
  // At large scales a Prometheus cycle outlasts the interval: wait for as many as it takes.
  let deadline = Date.now() + 60_000 + (cycles + 1) * Math.max(INTERVAL, 2 * v) * 2;
  let last = '';
  while (promTimes.length < cycles + 1 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    let text = '';
    try {
      text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    } catch {
      continue;
    }
    const m = /prometheus_rule_group_last_duration_seconds\{[^}]*\} (\S+)/.exec(text);
    const it = /prometheus_rule_group_iterations_total\{[^}]*\} (\S+)/.exec(text);
    if (!m || !it || it[1] === last || Number(m[1]) === 0) continue;
    last = it[1]!;
    promTimes.push(Number(m[1]) * 1000);
    deadline = Math.max(deadline, Date.now() + 60_000 + (cycles + 1 - promTimes.length) * Math.max(INTERVAL, promTimes.at(-1)!) * 2);
  }
  const p = median(promTimes.slice(1));
  console.log(`vigil: ${v.toFixed(1)} ms per cycle (${alerts} active alerts)`);
  console.log(`prometheus: ${promTimes.length > 1 ? p.toFixed(1) + ' ms per cycle' : 'n/a'}`);
  if (promTimes.length > 1) console.log(`rules-eval: vigil / prometheus = ${(v / p).toFixed(2)}`);
} finally {
  prom.kill('SIGTERM');
  await new Promise((r) => prom.once('exit', r));
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
