import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Registry } from 'prom-client';
import { silentLogger } from '@vigil/core';
import { createWebServer } from './server.ts';

async function serve(opts: { enableLifecycle: boolean; uiDir?: string; reloadError?: string }) {
  const registry = new Registry();
  new Counter({ name: 'vigil_test_total', help: 'test counter', registers: [registry] }).inc(3);
  let reloads = 0;
  let ready = false;
  const app = await createWebServer({
    logger: silentLogger(),
    registry,
    uiDir: opts.uiDir,
    enableLifecycle: opts.enableLifecycle,
    ready: () => ready,
    reload: async () => {
      reloads++;
      if (opts.reloadError) throw new Error(opts.reloadError);
    },
    quit: () => {},
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address() as { port: number };
  return { url: `http://127.0.0.1:${addr.port}`, app, reloads: () => reloads, setReady: (r: boolean) => (ready = r) };
}

test('healthy and ready follow the server state', async () => {
  const s = await serve({ enableLifecycle: false });
  try {
    assert.equal((await fetch(`${s.url}/-/healthy`)).status, 200);
    assert.equal((await fetch(`${s.url}/-/ready`)).status, 503);
    s.setReady(true);
    const r = await fetch(`${s.url}/-/ready`);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /Ready/);
  } finally {
    await s.app.close();
  }
});

test('reload needs --web.enable-lifecycle, as in Prometheus', async () => {
  const off = await serve({ enableLifecycle: false });
  try {
    const r = await fetch(`${off.url}/-/reload`, { method: 'POST' });
    assert.equal(r.status, 403);
    assert.equal(await r.text(), 'Lifecycle API is not enabled.');
    assert.equal(off.reloads(), 0);
  } finally {
    await off.app.close();
  }
  const on = await serve({ enableLifecycle: true, reloadError: 'prometheus.yml:3:5: global.scrape_interval: not a valid duration string: "x"' });
  try {
    const r = await fetch(`${on.url}/-/reload`, { method: 'POST' });
    assert.equal(r.status, 500);
    assert.match(await r.text(), /failed to reload config: prometheus\.yml:3:5/);
    assert.equal(on.reloads(), 1);
  } finally {
    await on.app.close();
  }
});

test('/metrics negotiates OpenMetrics and serves the registry', async () => {
  const s = await serve({ enableLifecycle: false });
  try {
    const text = await fetch(`${s.url}/metrics`);
    assert.match(text.headers.get('content-type') ?? '', /text\/plain; version=0\.0\.4/);
    assert.match(await text.text(), /^vigil_test_total 3$/m);
    const om = await fetch(`${s.url}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    assert.match(om.headers.get('content-type') ?? '', /application\/openmetrics-text/);
    assert.match(await om.text(), /# EOF\s*$/);
  } finally {
    await s.app.close();
  }
});

test('the UI is served with a fallback to index.html for client routes, never for API paths', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ui-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Vigil</title>');
  const s = await serve({ enableLifecycle: false, uiDir: dir });
  try {
    assert.match(await (await fetch(`${s.url}/`)).text(), /<title>Vigil<\/title>/);
    const client = await fetch(`${s.url}/targets`);
    assert.equal(client.status, 200);
    assert.match(await client.text(), /<title>Vigil<\/title>/);
    assert.equal((await fetch(`${s.url}/api/v1/nope`)).status, 404);
  } finally {
    await s.app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
