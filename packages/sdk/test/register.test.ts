import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './helpers/ports.ts';

const app = fileURLToPath(new URL('./fixtures/register-app.ts', import.meta.url));
const register = fileURLToPath(new URL('../src/register.ts', import.meta.url));

test('node --import register: metrics for an uninstrumented server, probes on the side port, SIGTERM exits 0', async () => {
  const metricsPort = await freePort();
  // --trace-protector-invalidation: the register form must not turn on
  // async hooks (V8 then stops inlining promise operations for good).
  const child = spawn(process.execPath, ['--trace-protector-invalidation', '--import', 'tsx', '--import', register, app], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, VIGIL_SERVICE: 'reg-app', VIGIL_METRICS_PORT: String(metricsPort), VIGIL_METRICS_HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
  });
  try {
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /READY (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (c) => reject(new Error(`app exited with ${c}`)));
    });
    for (const id of [1, 2, 3]) assert.equal(await (await fetch(`http://127.0.0.1:${port}/items/${id}`)).text(), `item /items/${id}`);
    const metrics = `http://127.0.0.1:${metricsPort}/metrics`;
    let body = '';
    await waitFor('metrics', async () => {
      body = await (await fetch(metrics)).text();
      return body.includes('route="/items/:id"');
    });
    assert.match(body, /^http_requests_total\{method="GET",route="\/items\/:id",status="200",service="reg-app"\} 3$/m);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status, 200);
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.doesNotMatch(out, /protector cell PromiseHook/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
