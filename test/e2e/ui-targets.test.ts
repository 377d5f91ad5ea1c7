// The targets page in Debian Chromium: pools, health badges, endpoints,
// labels, last scrape, duration and the last error of a target that is down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiGet } from './helpers/prom-api.ts';
import { startPromClientApp } from './helpers/prom-client-app.ts';
import { freePort } from './helpers/process.ts';
import { ensureUiBuilt, launchChromium, repoRoot, startTestVigil, waitFor } from './helpers/vigil.ts';

test('the targets page groups targets by pool and shows health, timings and the last error', { timeout: 90_000 }, async () => {
  ensureUiBuilt();
  const app = await startPromClientApp();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ui-targets-'));
  // Nothing listens on this port, so the target is down with a connection error.
  const deadPort = await freePort();
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(
    configFile,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: app',
      '    static_configs:',
      `      - targets: ['${new URL(app.url).host}']`,
      '        labels: { team: payments }',
      '  - job_name: broken',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${deadPort}']`,
      '',
    ].join('\n'),
  );
  const server = await startTestVigil({ configFile });
  let chrome: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    const base = server.vigil.url;
    await waitFor(
      async () => {
        const r = await apiGet<{ activeTargets: Array<{ health: string }> }>(base, '/api/v1/targets');
        return r.body.data.activeTargets.map((t) => t.health).sort().join() === 'down,up';
      },
      30_000,
      'one target up and one down',
    );
    chrome = await launchChromium();
    const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 600 } });
    await page.goto(`${base}/targets`);
    await page.waitForSelector('tr.target', { timeout: 10_000 });
    assert.equal(await page.textContent('.summary'), '2 targets, 1 up, 1 not up');
    const pools = await page.$$eval('.pool h2', (hs) => hs.map((h) => h.textContent ?? ''));
    assert.deepEqual(pools, ['app1/1 up', 'broken0/1 up']);
    const cells = async (pool: string) =>
      await page.$eval(`.pool:has(h2:text-matches("^${pool}")) tr.target`, (tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? ''));

    const [endpoint, state, labels, last, duration, error] = await cells('app');
    assert.equal(endpoint, `${app.url}/metrics`);
    assert.equal(state, 'UP');
    assert.match(labels!, /instance="127\.0\.0\.1:\d+"/);
    assert.match(labels!, /job="app"/);
    assert.match(labels!, /team="payments"/);
    assert.match(last!, /^\d+\.\ds ago$/);
    assert.match(duration!, /^\d+\.\d ms$/);
    assert.equal(error, '');

    const broken = await cells('broken');
    assert.equal(broken[0], `http://127.0.0.1:${deadPort}/metrics`);
    assert.equal(broken[1], 'DOWN');
    assert.match(broken[5]!, /ECONNREFUSED|connection refused/i, `last error: ${broken[5]}`);
    assert.equal(await page.$eval('.pool:has(h2:text-matches("^broken")) .badge', (b) => getComputedStyle(b).color), 'rgb(252, 165, 165)', 'a red badge');

    mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test-results/ui-targets.png'), fullPage: true });

    // The filter leaves only the unhealthy pool.
    await page.check('text=Unhealthy only');
    assert.deepEqual(await page.$$eval('.pool h2', (hs) => hs.map((h) => h.textContent ?? '')), ['broken0/1 up']);
  } finally {
    await chrome?.close();
    await server.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
