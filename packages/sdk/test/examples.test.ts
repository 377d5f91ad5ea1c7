import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './helpers/ports.ts';

for (const [name, path, url] of [
  ['fastify', '../../../examples/fastify/server.ts', '/users/7'],
  ['express', '../../../examples/express/server.ts', '/api/orders/42'],
] as const) {
  test(`examples/${name} serves traffic, metrics and probes, and exits 0 on SIGTERM`, async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(path, import.meta.url))], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor('example to listen', async () => (await fetch(`${base}/livez`)).ok, 20_000, 100);
      assert.equal((await fetch(base + url)).status, 200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /^http_requests_total\{method="GET",route="[^"]+:id",status="200",service="[a-z-]+"\} 1$/m);
      assert.match(metrics, /^db_query_duration_seconds_count\{service="[a-z-]+",operation="select",table="[a-z]+"\} 1$/m);
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
}
