import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './helpers/ports.ts';

// What a service that installed @vigil/sdk from npm runs: plain `node`, no
// TypeScript loader, importing the package's compiled build (dist/, from
// `npm run build -w @vigil/sdk`, which `npm install`, `npm start` and this
// file run). Both forms run with --trace-protector-invalidation: neither may
// turn on async hooks on this Node (V8 then stops inlining promise
// operations in the whole process).
const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

before(() => {
  execFileSync(process.execPath, [tsc, '-p', 'packages/sdk/tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
});

test('the compiled declarations type-check a service outside the repository (moduleResolution nodenext)', () => {
  // fixtures/consumer/app.ts uses the public API and expects three type
  // errors (@ts-expect-error): were the declarations missing or `any`, tsc
  // would fail on those lines.
  const out = execFileSync(process.execPath, [tsc, '-p', fixture('consumer/tsconfig.json'), '--explainFiles'], { cwd: root, encoding: 'utf8' });
  assert.match(out, /packages\/sdk\/dist\/index\.d\.ts/);
  assert.match(out, /packages\/sdk\/dist\/register\.d\.ts/);
  assert.doesNotMatch(out, /packages\/sdk\/src\//, 'no source file of the SDK is part of the consumer build');
});

/** Starts `args` with plain node from the repository root; resolves with the port the app prints and its output so far. */
function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; ready: Promise<number>; output: () => string } {
  const child = spawn(process.execPath, ['--trace-protector-invalidation', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // No loader inherited from the test runner (it runs under tsx).
    env: { ...process.env, NODE_OPTIONS: '', NODE_TEST_CONTEXT: undefined, LOG_LEVEL: 'silent', ...env },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const ready = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`exited with ${c}: ${out}`)));
  });
  return { child, ready, output: () => out };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  child.kill('SIGTERM');
  return exited;
}

test("plain node imports '@vigil/sdk': a node:http app records its routes, serves /metrics and exits 0 on SIGTERM", async () => {
  const app = start([fixture('plain-app.mjs')]);
  try {
    const base = `http://127.0.0.1:${await app.ready}`;
    assert.equal(await (await fetch(`${base}/orders/7`)).text(), 'order /orders/7');
    let body = '';
    await waitFor('the request in /metrics', async () => {
      body = await (await fetch(`${base}/metrics`)).text();
      return body.includes('route="/orders/:id"');
    });
    assert.match(body, /^http_requests_total\{method="GET",route="\/orders\/:id",status="200",service="plain-app"\} 1$/m);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    assert.equal(await stop(app.child), 0);
    assert.doesNotMatch(app.output(), /protector cell PromiseHook/);
  } finally {
    if (app.child.exitCode === null) app.child.kill('SIGKILL');
  }
});

test('plain node --import @vigil/sdk/register: an uninstrumented app gets metrics on the side port', async () => {
  const metricsPort = await freePort();
  const app = start(['--import', '@vigil/sdk/register', fixture('plain-register-app.mjs')], {
    VIGIL_SERVICE: 'plain-reg',
    VIGIL_METRICS_PORT: String(metricsPort),
    VIGIL_METRICS_HOST: '127.0.0.1',
  });
  try {
    const port = await app.ready;
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/items/3`)).text(), 'item /items/3');
    let body = '';
    await waitFor('the request in /metrics', async () => {
      body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return body.includes('route="/items/:id"');
    });
    assert.match(body, /^http_requests_total\{method="GET",route="\/items\/:id",status="200",service="plain-reg"\} 1$/m);
    assert.equal(await stop(app.child), 0);
    assert.doesNotMatch(app.output(), /protector cell PromiseHook/);
  } finally {
    if (app.child.exitCode === null) app.child.kill('SIGKILL');
  }
});
