// Restart test: the standalone router is killed with SIGKILL and started
// again on the same storage; silences and the notification log survive, so
// the re-sent alerts neither page again inside repeat_interval nor escape
// their silence. Driven through amtool where a real client would be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, post, startHook, waitReady } from './alertmanager-helpers.ts';

const run = promisify(execFile);
const AMTOOL = '/usr/bin/amtool';
const repoRoot = new URL('../../', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startVigilAM(cfg: string, storage: string, port: number): Promise<ChildProcess> {
  const p = spawn(
    process.execPath,
    [join(repoRoot, 'packages/cli/bin/vigil.js'), 'alertmanager', `--config.file=${cfg}`, `--storage.path=${storage}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: 'ignore', cwd: repoRoot },
  );
  await waitReady(`http://127.0.0.1:${port}/-/ready`, 30_000);
  return p;
}

const amtool = async (url: string, ...args: string[]) => (await run(AMTOOL, [`--alertmanager.url=${url}`, ...args])).stdout;

test('silences, acks, history and nflog survive kill -9; no duplicate page inside repeat_interval', { skip: !existsSync(AMTOOL) && 'amtool not installed', timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-restart-'));
  const hook = await startHook();
  const cfg = join(dir, 'am.yml');
  writeFileSync(
    cfg,
    `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 300ms\n  group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: ${hook.url}\n`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let proc = await startVigilAM(cfg, join(dir, 'data'), port);
  try {
    const id = (await amtool(url, 'silence', 'add', 'alertname=Muted', '--comment=maintenance', '--author=ops', '--duration=1h')).trim();
    assert.match(id, /^[0-9a-f-]{36}$/);
    const alerts = [{ labels: { alertname: 'Paged', instance: 'x' } }, { labels: { alertname: 'Muted' } }, { labels: { alertname: 'Acked' } }];
    assert.equal((await post(`${url}/api/v2/alerts`, alerts)).status, 200);
    await sleep(1500);
    assert.deepEqual(hook.bodies.map((b) => b.groupLabels.alertname).sort(), ['Acked', 'Paged']);
    assert.match(await amtool(url, 'alert', 'query'), /Paged/);
    const ack = await post(`${url}/api/vigil/v1/acks`, { groupKey: '{}:{alertname="Acked"}', by: 'alice', comment: 'on it' });
    assert.equal(ack.status, 200, await ack.text());

    proc.kill('SIGKILL');
    await new Promise((r) => proc.once('exit', r));
    proc = await startVigilAM(cfg, join(dir, 'data'), port);

    // The silence is still there and still active; so are the ack and the history.
    const q = await amtool(url, 'silence', 'query', '-q');
    assert.equal(q.trim(), id);
    const acks = (await (await fetch(`${url}/api/vigil/v1/acks`)).json()) as Array<{ by: string; groupKey: string }>;
    assert.deepEqual(acks.map((a) => [a.groupKey, a.by]), [['{}:{alertname="Acked"}', 'alice']]);
    const hist = (await (await fetch(`${url}/api/vigil/v1/history?kind=notified,acknowledged`)).json()) as Array<{ kind: string }>;
    assert.deepEqual(hist.map((e) => e.kind), ['acknowledged', 'notified', 'notified']);
    // A sender re-sends its firing alerts after the restart, as Prometheus does.
    assert.equal((await post(`${url}/api/v2/alerts`, alerts)).status, 200);
    await sleep(2500);
    assert.equal(hook.bodies.length, 2, `re-paged after restart: ${JSON.stringify(hook.bodies.slice(2))}`);

    // The pipeline itself still works: a new alert in the group pages, and
    // expiring the silence lets the muted alert through.
    await amtool(url, 'silence', 'expire', id);
    assert.equal((await post(`${url}/api/v2/alerts`, [...alerts, { labels: { alertname: 'Paged', instance: 'y' } }])).status, 200);
    await sleep(2500);
    const got = hook.bodies.slice(2).map((b) => `${b.groupLabels.alertname}:${b.alerts.length}`).sort();
    assert.deepEqual(got, ['Muted:1', 'Paged:2']);
    assert.equal((await amtool(url, 'silence', 'query', '-q')).trim(), '');
    assert.equal(((await (await fetch(`${url}/api/vigil/v1/acks`)).json()) as unknown[]).length, 1);
  } finally {
    proc.kill('SIGKILL');
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
