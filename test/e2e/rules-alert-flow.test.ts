// A prom-client app's error rate is raised on command; Vigil scrapes it,
// evaluates seed 000's HighErrorRate rule (window and `for` shortened so the
// test takes seconds), the alert goes pending → firing → webhook through the
// in-process router with the templated description → resolved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHook } from './alertmanager-helpers.ts';
import { startTestVigil } from './helpers/vigil.ts';
import { amConfig, promConfig, seedRule, startErrorApp, until } from './rules-helpers.ts';

test('rules e2e: HighErrorRate pending → firing → webhook → resolved', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-e2e-'));
  const app = await startErrorApp();
  const hook = await startHook();
  writeFileSync(join(dir, 'rules.yml'), seedRule());
  writeFileSync(join(dir, 'prometheus.yml'), promConfig(app.target));
  writeFileSync(join(dir, 'am.yml'), amConfig(hook.url));
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
