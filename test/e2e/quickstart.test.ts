// The README's first command, as a user runs it: `vigil start` with the
// built-in configuration must show live data from itself and the demo
// service within 30 seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

async function query(base: string, q: string): Promise<{ status: string; data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> } }> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  return (await res.json()) as never;
}

test('vigil start with the built-in config serves up=1 for self and demo and a non-empty request rate within 30 s', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-quickstart-'));
  const child = spawn(process.execPath, ['packages/cli/bin/vigil.js', 'start', '--web.listen-address=127.0.0.1:0', `--storage.tsdb.path=${dir}`, '--log.level=warn'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', () => {});
  try {
    const started = Date.now();
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed; stderr:\n${stderr}`)), 30_000);
      child.stderr.on('data', () => {
        const m = /Vigil is running: (http:\/\/\S+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`vigil exited with ${code}; stderr:\n${stderr}`)));
    });
    let up: Awaited<ReturnType<typeof query>> | undefined;
    let rate: Awaited<ReturnType<typeof query>> | undefined;
    while (Date.now() - started < 30_000) {
      up = await query(base, 'up');
      rate = await query(base, 'rate(http_requests_total{job="demo"}[1m])');
      const jobs = new Set(up.data.result.filter((r) => r.value[1] === '1').map((r) => r.metric.job));
      // A route shows up in rate() once it has two samples; the demo's
      // routes get traffic at different paces, so wait for several.
      const routes = new Set(rate.data.result.map((r) => r.metric.route));
      if (jobs.has('vigil') && jobs.has('demo') && routes.size >= 2) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    assert.equal(up?.status, 'success');
    const upByJob = Object.fromEntries(up!.data.result.map((r) => [r.metric.job, r.value[1]]));
    assert.deepEqual(upByJob, { vigil: '1', demo: '1' }, `up after ${Date.now() - started} ms`);
    assert.equal(rate?.status, 'success');
    assert.ok(rate!.data.result.length > 0, 'rate(http_requests_total[1m]) over the demo service is empty');
    const routes = new Set(rate!.data.result.map((r) => r.metric.route));
    assert.ok(routes.size >= 2, `expected several routes after ${Date.now() - started} ms, got ${[...routes].join(', ')}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});
