// Alert router under load: 10k active alerts, then a steady stream of alert
// posts (1,000 alerts/s by default) during which new alert groups appear;
// measures how long after group_wait each new group's notification reaches
// a loopback webhook, and the API post latency. Runs Vigil's standalone
// router (a child process) and Debian's alertmanager in the same run.
//
//   npx tsx bench/alerting-load.bench.ts [--seconds 60] [--rate 1000] [--active 10000]
//
// Bounded: fixed duration, fixed rate; both routers are killed at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEBIAN_ALERTMANAGER, freePort, post, startDebianAlertmanager, startHook, waitReady, type Hook } from '../test/e2e/alertmanager-helpers.ts';
import { numArg } from './args.ts';

const SECONDS = numArg('--seconds', 60);
const RATE = numArg('--rate', 1000);
const ACTIVE = numArg('--active', 10_000);
const GROUP_WAIT = 1000;
const repoRoot = new URL('../', import.meta.url).pathname;

const config = (url: string) => `
route:
  receiver: hook
  group_by: [alertname, shard]
  group_wait: ${GROUP_WAIT / 1000}s
  group_interval: 5m
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs: [{ url: '${url}', send_resolved: false }]
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN);

interface Result { name: string; groupLatency: number[]; postLatency: number[]; posted: number; missing: number }

async function drive(name: string, base: string, hook: Hook): Promise<Result> {
  const endsAt = new Date(Date.now() + 3600_000).toISOString();
  const alert = (i: number) => ({ labels: { alertname: `Load${i % 100}`, shard: String(i % 10), instance: `i${i}` }, endsAt });
  // Preload the active set in batches of 1,000.
  for (let i = 0; i < ACTIVE; i += 1000) {
    const r = await post(`${base}/api/v2/alerts`, Array.from({ length: Math.min(1000, ACTIVE - i) }, (_, k) => alert(i + k)));
    if (!r.ok) throw new Error(`${name}: preload failed ${r.status}`);
  }
  await sleep(GROUP_WAIT + 2000); // let the preload's first notifications go out
  const sentAt = new Map<string, number>();
  const groupLatency: number[] = [];
  const postLatency: number[] = [];
  const seen = new Set<string>();
  const onBody = () => {
    for (const b of hook.bodies.splice(0)) {
      const g = String(b.groupLabels?.alertname);
      const t0 = sentAt.get(g);
      if (t0 !== undefined && !seen.has(g)) {
        seen.add(g);
        groupLatency.push(Date.now() - t0 - GROUP_WAIT);
      }
    }
  };
  hook.bodies.splice(0);
  const poll = setInterval(onBody, 5);
  const batch = Math.max(1, Math.round(RATE / 10));
  const start = Date.now();
  let posted = 0;
  let tick = 0;
  while (Date.now() - start < SECONDS * 1000) {
    const due = start + tick * 100;
    if (due > Date.now()) await sleep(due - Date.now());
    // Re-posts of active alerts, as rule evaluations do, plus one new group every second.
    const alerts: unknown[] = Array.from({ length: batch }, (_, k) => alert((tick * batch + k) % ACTIVE));
    if (tick % 10 === 0) {
      const g = `New${tick / 10}`;
      alerts[0] = { labels: { alertname: g, shard: '0' }, endsAt };
      sentAt.set(g, Date.now());
    }
    const t = Date.now();
    const r = await post(`${base}/api/v2/alerts`, alerts);
    postLatency.push(Date.now() - t);
    if (!r.ok) throw new Error(`${name}: post failed ${r.status}`);
    posted += alerts.length;
    tick++;
  }
  await sleep(GROUP_WAIT + 3000);
  onBody();
  clearInterval(poll);
  return { name, groupLatency, postLatency, posted, missing: sentAt.size - seen.size };
}

async function startVigil(cfg: string, dir: string): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [join(repoRoot, 'packages/cli/bin/vigil.js'), 'alertmanager', `--config.file=${cfg}`, `--storage.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: 'ignore' });
  await waitReady(`http://127.0.0.1:${port}/-/ready`, 30_000);
  return { url: `http://127.0.0.1:${port}`, proc };
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-am-bench-'));
const results: Result[] = [];
try {
  {
    const hook = await startHook();
    writeFileSync(join(dir, 'vigil.yml'), config(hook.url));
    const v = await startVigil(join(dir, 'vigil.yml'), join(dir, 'vigil'));
    try {
      results.push(await drive('vigil', v.url, hook));
    } finally {
      v.proc.kill('SIGKILL');
      await hook.close();
    }
  }
  if (existsSync(DEBIAN_ALERTMANAGER)) {
    const hook = await startHook();
    writeFileSync(join(dir, 'am.yml'), config(hook.url));
    const am = await startDebianAlertmanager(join(dir, 'am.yml'), join(dir, 'am'));
    try {
      results.push(await drive('alertmanager 0.25', am.url, hook));
    } finally {
      am.proc.kill('SIGKILL');
      await hook.close();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`alerting-load: ${ACTIVE} active alerts, ${RATE} alerts/s for ${SECONDS}s, group_wait ${GROUP_WAIT} ms`);
console.log('router              alerts posted  new groups  missing  notify-after-group_wait p50/p99/max ms  post p50/p99 ms');
for (const r of results) {
  console.log(
    `${r.name.padEnd(20)}${String(r.posted).padStart(13)}${String(r.groupLatency.length + r.missing).padStart(12)}${String(r.missing).padStart(9)}` +
      `${`${pct(r.groupLatency, 50)}/${pct(r.groupLatency, 99)}/${Math.max(...r.groupLatency)}`.padStart(38)}${`${pct(r.postLatency, 50)}/${pct(r.postLatency, 99)}`.padStart(17)}`,
  );
}
