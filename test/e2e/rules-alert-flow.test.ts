// A prom-client app's error rate is raised on command; Vigil scrapes it,
// evaluates seed 000's HighErrorRate rule (window and `for` shortened so the
// test takes seconds), the alert goes pending → firing → webhook through the
// in-process router with the templated description → resolved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Registry } from 'prom-client';
import { startHook } from './alertmanager-helpers.ts';
import { repoRoot, startTestVigil } from './helpers/vigil.ts';

/** An app exporting `api_request_errors_total`, incremented `rate` times a second while raised. */
async function startErrorApp(): Promise<{ target: string; setRate(r: number): void; close(): Promise<void> }> {
  const registry = new Registry();
  const errors = new Counter({ name: 'api_request_errors_total', help: 'API errors.', registers: [registry] });
  let rate = 0;
  const timer = setInterval(() => rate && errors.inc(rate / 10), 100);
  const srv = createServer(async (_req, res) => {
    res.setHeader('content-type', registry.contentType);
    res.end(await registry.metrics());
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    target: `127.0.0.1:${(srv.address() as { port: number }).port}`,
    setRate: (r) => (rate = r),
    close: () => {
      clearInterval(timer);
      return new Promise((r) => srv.close(() => r()));
    },
  };
}

/** Seed 000's HighErrorRate rule with a 5s window and `for: 3s` instead of 5m/5m. */
function seedRule(): string {
  const seed = readFileSync(join(repoRoot, '../shared/fixtures/seed-configs/000-rules-platform-api.yml'), 'utf8');
  const start = seed.indexOf('      - alert: HighErrorRate');
  const end = seed.indexOf('\n\n', start);
  const rule = seed.slice(start, end).replace('[5m]', '[5s]').replace('for: 5m', 'for: 3s');
  assert.match(rule, /description: "Error rate is \{\{ \$value \}\}% over the last 5 minutes"/);
  return `groups:\n  - name: platform_api\n    interval: 1s\n    rules:\n${rule}\n`;
}

async function until<T>(what: string, ms: number, f: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('rules e2e: HighErrorRate pending → firing → webhook → resolved', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-e2e-'));
  const app = await startErrorApp();
  const hook = await startHook();
  writeFileSync(join(dir, 'rules.yml'), seedRule());
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nscrape_configs:\n  - job_name: platform-api\n    static_configs:\n      - targets: ['${app.target}']\n`,
  );
  writeFileSync(
    join(dir, 'am.yml'),
    `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 100ms\n  group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: ${hook.url}\n`,
  );
  const v = await startTestVigil({ configFile: join(dir, 'prometheus.yml'), alertmanagerConfigFile: join(dir, 'am.yml'), alertmanagerStoragePath: join(dir, 'am'), resendDelay: 1000 });
  const alerts = async () => ((await (await fetch(`${v.vigil.url}/api/v1/alerts`)).json()) as { data: { alerts: Array<{ state: string; labels: Record<string, string> }> } }).data.alerts;
  try {
    await new Promise((r) => setTimeout(r, 2000));
    assert.deepEqual(await alerts(), []);
    app.setRate(5);
    const t0 = Date.now();
    await until('pending', 15_000, async () => ((await alerts()).some((a) => a.state === 'pending') ? true : undefined));
    const tPending = Date.now();
    await until('firing', 15_000, async () => ((await alerts()).some((a) => a.state === 'firing') ? true : undefined));
    assert.ok(Date.now() - tPending >= 2000, 'fires only after `for`');
    const firing = await until('firing notification', 15_000, () => hook.bodies.find((b) => b.status === 'firing'));
    const a = firing.alerts[0];
    assert.equal(a.labels.alertname, 'HighErrorRate');
    assert.equal(a.labels.severity, 'warning');
    assert.equal(a.labels.job, 'platform-api');
    assert.equal(a.annotations.summary, 'High API error rate');
    assert.match(a.annotations.description, /^Error rate is [0-9.e+]+% over the last 5 minutes$/);
    assert.match(a.generatorURL, /\/graph\?g0\.expr=rate%28api_request_errors_total%5B5s%5D%29\+%3E\+0\.05&g0\.tab=1$/);
    assert.ok(Date.now() - t0 < 30_000);
    app.setRate(0);
    const resolved = await until('resolved notification', 25_000, () => hook.bodies.find((b) => b.status === 'resolved'));
    assert.equal(resolved.alerts[0].labels.alertname, 'HighErrorRate');
    assert.deepEqual(await alerts(), []);
  } finally {
    await v.close();
    await hook.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
