import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('../../test/fixtures/shutdown-app.ts', import.meta.url));

test('SIGTERM: readiness 503 first, in-flight requests complete, hooks run, logs flushed, exit 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sdk-shutdown-'));
  const logFile = join(dir, 'app.log');
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, logFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /READY (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (c) => reject(new Error(`fixture exited early with ${c}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    const slow = [1, 2, 3].map(() => fetch(`${url}/slow`).then(async (r) => [r.status, await r.text()]));
    await new Promise((r) => setTimeout(r, 150));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const t0 = Date.now();
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { output: string }).output, 'shutting down');
    assert.equal((await fetch(`${url}/livez`)).status, 200, 'liveness stays green while draining');
    assert.deepEqual(await Promise.all(slow), [[200, 'done'], [200, 'done'], [200, 'done']]);
    const code = await exited;
    const took = Date.now() - t0;
    assert.equal(code, 0);
    assert.ok(took < 5000, `exit took ${took}ms`);
    const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: string; service: string });
    const msgs = lines.map((l) => l.msg);
    assert.equal(msgs.filter((m) => m === 'slow request finished').length, 3);
    assert.ok(msgs.indexOf('shutting down: readiness now failing') < msgs.indexOf('in-flight requests drained'));
    assert.ok(msgs.indexOf('in-flight requests drained') < msgs.indexOf('database pool closed'));
    assert.equal(msgs.at(-1), 'shutdown complete');
    assert.equal(lines.at(-1)!.service, 'shutdown-fixture');
    assert.equal(lines.at(-1)!.level, 'info');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
