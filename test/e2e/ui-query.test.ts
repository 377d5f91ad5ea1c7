// Must-show 2 of the walking skeleton: the query page, in Debian Chromium
// against a whole Vigil server started in-process, graphs and tabulates the
// demo service's request rate per route.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiGet } from './helpers/prom-api.ts';
import { ensureUiBuilt, launchChromium, repoRoot, startTestVigil, waitFor } from './helpers/vigil.ts';

const EXPR = 'sum by (route) (rate(http_requests_total[1m]))';
const RESULTS = join(repoRoot, 'test-results');

test('the query page draws a series and lists rows for the demo request rate', { timeout: 120_000 }, async () => {
  ensureUiBuilt();
  const server = await startTestVigil({ demo: true });
  let chrome: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    const base = server.vigil.url;
    // Wait for a few points per route, so the graph holds lines and not single dots.
    await waitFor(
      async () => {
        const now = Date.now() / 1000;
        const r = await apiGet<{ result: Array<{ values: unknown[] }> }>(base, '/api/v1/query_range', { query: EXPR, start: String(now - 300), end: String(now), step: '1' });
        return r.body.data.result.length >= 2 && r.body.data.result.every((s) => s.values.length >= 8);
      },
      60_000,
      'the demo request rate to have several points per route',
    );
    chrome = await launchChromium();
    const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${base}/query?range=300`);
    // The header fills the version in once /api/v1/status/buildinfo answers.
    await page.waitForFunction(() => (document.querySelector('.version')?.textContent ?? '') !== '', undefined, { timeout: 10_000 }).catch(() => undefined);
    assert.match((await page.textContent('.version')) ?? '', /^v\d+\.\d+\.\d+/, 'the header shows the version from buildinfo');
    assert.equal(await page.getAttribute('.ranges button.active', 'class'), 'active');
    assert.equal(await page.textContent('.ranges button.active'), '5m', 'the range comes from the URL');

    // Completion offers metric names from /api/v1/label/__name__/values.
    await page.click('textarea.expr');
    await page.keyboard.type('http_requests_t');
    await page.waitForSelector('.completions li', { timeout: 10_000 });
    const offered = await page.$$eval('.completions li .name', (els) => els.map((e) => e.textContent));
    assert.ok(offered.includes('http_requests_total'), `completions: ${offered.join(', ')}`);
    assert.equal(offered[0], 'http_requests_total', 'the prefix match comes first');
    await page.keyboard.press('Tab');
    assert.equal(await page.inputValue('textarea.expr'), 'http_requests_total', 'Tab accepts the completion');
    // Shift+Enter adds a line and does not run the query.
    await page.keyboard.press('Shift+Enter');
    assert.equal(await page.inputValue('textarea.expr'), 'http_requests_total\n');
    assert.equal(await page.$('.meta'), null, 'nothing ran yet');

    await page.fill('textarea.expr', EXPR);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.chart canvas', { timeout: 15_000 });
    const seriesCount = Number(await page.getAttribute('.chart', 'data-series'));
    assert.ok(seriesCount >= 2, `expected several route series in the chart, got ${seriesCount}`);
    const legend = await page.$$eval('.u-legend .u-series', (rows) => rows.map((r) => r.textContent ?? ''));
    assert.equal(legend.length, seriesCount + 1, 'the legend lists the time column and every series');
    assert.ok(legend.some((l) => l.includes('{route="/api/users"}')), `legend: ${legend.join(' | ')}`);
    // The canvas must hold drawn lines: count strongly coloured pixels (grid and axes are grey).
    const drawn = await page.$eval('.chart canvas', (c) => {
      const canvas = c as HTMLCanvasElement;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
        if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
      }
      return coloured;
    });
    assert.ok(drawn > 300, `expected coloured line pixels in the chart canvas, found ${drawn}`);
    // Hovering near the newest points fills the legend with values.
    const over = (await page.$('.chart .u-over'))!;
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width - 4, box.y + box.height / 2);
    const hovered = await page.$$eval('.u-legend .u-series:not(:first-child) .u-value', (vs) => vs.map((v) => v.textContent ?? ''));
    assert.ok(hovered.some((v) => /^\d/.test(v)), `legend values under the cursor: ${hovered.join(', ')}`);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'ui-query.png'), fullPage: true });

    // Dragging across the newest half zooms in; a double-click restores the queried range.
    const xSpan = async () => [Number(await page.getAttribute('.chart', 'data-x-min')), Number(await page.getAttribute('.chart', 'data-x-max'))];
    const before = await xSpan();
    assert.ok(Math.abs(before[1]! - before[0]! - 300) < 2, `the x axis spans the 5m range: ${before}`);
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const zoomed = await waitFor(async () => {
      const s = await xSpan();
      return s[0]! > before[0]! + 100 && s;
    }, 5000, 'the x axis to narrow after a drag-zoom');
    assert.ok(zoomed[1]! - zoomed[0]! < 160, `zoomed span ${zoomed}`);
    await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
    await waitFor(async () => (await xSpan()).join() === before.join(), 5000, 'double-click to restore the whole range');

    await page.click('.tabs button:has-text("Table")');
    await page.waitForSelector('table.results tbody tr', { timeout: 15_000 });
    const rows = await page.$$eval('table.results tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    assert.equal(rows.length, seriesCount, 'one table row per series');
    assert.ok(rows.some((r) => /route="\/api\/users"\}\d/.test(r)), `rows: ${rows.join(' | ')}`);
    assert.match(page.url(), /expr=sum\+by\+%28route%29/, 'the query is kept in the URL');
    assert.match(page.url(), /tab=table/);
    await page.screenshot({ path: join(RESULTS, 'ui-query-table.png'), fullPage: true });

    // A shared link restores the view.
    await page.goto(page.url());
    assert.equal(await page.inputValue('textarea.expr'), EXPR);
    await page.waitForSelector('table.results tbody tr', { timeout: 15_000 });

    // An invalid expression shows the server's error text.
    await page.fill('textarea.expr', 'sum by (route (');
    await page.keyboard.press('Enter');
    const err = await page.waitForSelector('.error', { timeout: 10_000 });
    assert.match((await err.textContent()) ?? '', /bad_data: invalid parameter "query": 1:\d+: parse error/);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await chrome?.close();
    await server.close();
  }
});
