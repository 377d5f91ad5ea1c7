// Must-show: the query page, in real Chromium, graphs and tabulates the demo
// service's request rate per route.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureUiBuilt, launchChromium, repoRoot, startTestVigil, waitFor } from './helpers/vigil.ts';

const EXPR = 'sum by (route) (rate(http_requests_total[1m]))';

test('the query page draws a series and lists rows for the demo request rate', { timeout: 120_000 }, async () => {
  ensureUiBuilt();
  const server = await startTestVigil({ demo: true });
  let chrome: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    chrome = await launchChromium();
    const base = server.vigil.url;
    await waitFor(
      async () => {
        const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(EXPR)}`);
        const j = (await r.json()) as { data: { result: unknown[] } };
        return j.data.result.length > 0;
      },
      40_000,
      'demo request rate to appear',
    );
    const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/query`);
    await page.fill('textarea.expr', EXPR);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.chart canvas', { timeout: 15_000 });
    await page.waitForSelector('table.results tbody tr', { timeout: 15_000 });

    const seriesCount = Number(await page.getAttribute('.chart', 'data-series'));
    assert.ok(seriesCount >= 2, `expected several route series in the chart, got ${seriesCount}`);
    const legend = await page.$$eval('.u-legend .u-series', (rows) => rows.length);
    assert.equal(legend, seriesCount + 1, 'the legend lists the time column and every series');
    // The canvas must actually hold drawn lines: count pixels in the series palette's first colour.
    const drawn = await page.$eval('.chart canvas', (c) => {
      const canvas = c as HTMLCanvasElement;
      const ctx = canvas.getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
        if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
      }
      return coloured;
    });
    assert.ok(drawn > 50, `expected coloured line pixels in the chart canvas, found ${drawn}`);
    const rows = await page.$$eval('table.results tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    assert.ok(rows.length >= 2, `expected table rows, got ${rows.length}`);
    assert.ok(rows.some((r) => r.includes('route="/api/users"')), `rows: ${rows.join(' | ')}`);
    assert.match(page.url(), /expr=sum\+by/, 'the query is kept in the URL');

    mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test-results/ui-query.png'), fullPage: true });

    // An invalid expression shows the server's error text.
    await page.fill('textarea.expr', 'sum by (route (');
    await page.keyboard.press('Enter');
    const err = await page.waitForSelector('.error', { timeout: 10_000 });
    assert.match((await err.textContent()) ?? '', /bad_data: invalid parameter "query": 1:\d+: parse error/);
  } finally {
    await chrome?.close();
    await server.close();
  }
});

test('the targets page shows both built-in targets as up', { timeout: 90_000 }, async () => {
  ensureUiBuilt();
  const server = await startTestVigil({ demo: true });
  let chrome: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    chrome = await launchChromium();
    const base = server.vigil.url;
    await waitFor(
      async () => {
        const r = (await (await fetch(`${base}/api/v1/targets`)).json()) as { data: { activeTargets: Array<{ health: string }> } };
        return r.data.activeTargets.length === 2 && r.data.activeTargets.every((t) => t.health === 'up');
      },
      30_000,
      'both targets up',
    );
    const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 700 } });
    await page.goto(`${base}/targets`);
    await page.waitForSelector('tr.target', { timeout: 10_000 });
    const pools = await page.$$eval('.pool h2', (hs) => hs.map((h) => h.textContent ?? ''));
    assert.deepEqual(pools.map((p) => p.split(' ')[0]).sort(), ['demo', 'vigil']);
    const badges = await page.$$eval('.badge', (bs) => bs.map((b) => b.textContent));
    assert.deepEqual(badges, ['UP', 'UP']);
    await page.screenshot({ path: join(repoRoot, 'test-results/ui-targets.png'), fullPage: true });
  } finally {
    await chrome?.close();
    await server.close();
  }
});
