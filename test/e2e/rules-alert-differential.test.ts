// The same app, rule and router config through Vigil (in-process router) and
// through Debian's prometheus + prometheus-alertmanager: both webhooks get
// the same firing and resolved notifications (labels, annotations' text
// shape, grouping), only the times and measured values may differ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEBIAN_ALERTMANAGER, freePort, startDebianAlertmanager, startHook, waitReady } from './alertmanager-helpers.ts';
import { startTestVigil } from './helpers/vigil.ts';
import { amConfig, promConfig, seedRule, startErrorApp, until } from './rules-helpers.ts';

const PROMETHEUS = '/usr/bin/prometheus';

/** A notification without its volatile parts (times, values, URLs with ports, group keys). */
function normalize(b: Record<string, any>): unknown { // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    status: b.status,
    receiver: b.receiver,
    groupLabels: b.groupLabels,
    commonLabels: b.commonLabels,
    alerts: (b.alerts as Array<Record<string, any>>).map((a) => ({ // eslint-disable-line @typescript-eslint/no-explicit-any
      status: a.status,
      labels: { ...a.labels, instance: 'app' },
      summary: a.annotations.summary,
      description: String(a.annotations.description).replace(/[0-9.e+-]+%/, 'N%'),
      generatorPath: String(a.generatorURL).replace(/^https?:\/\/[^/]+/, ''),
    })),
  };
}

test('rules e2e: Vigil and Debian prometheus + alertmanager send the same notifications', {
  skip: (!existsSync(PROMETHEUS) || !existsSync(DEBIAN_ALERTMANAGER)) && 'Debian prometheus/alertmanager not installed',
  timeout: 90_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-diff-'));
  const app = await startErrorApp();
  const vHook = await startHook();
  const pHook = await startHook();
  mkdirSync(join(dir, 'v'));
  mkdirSync(join(dir, 'p'));
  for (const side of ['v', 'p']) writeFileSync(join(dir, side, 'rules.yml'), seedRule());
  writeFileSync(join(dir, 'v', 'prometheus.yml'), promConfig(app.target));
  writeFileSync(join(dir, 'v', 'am.yml'), amConfig(vHook.url));
  writeFileSync(join(dir, 'p', 'am.yml'), amConfig(pHook.url));
  const am = await startDebianAlertmanager(join(dir, 'p', 'am.yml'), join(dir, 'p', 'am'));
  writeFileSync(
    join(dir, 'p', 'prometheus.yml'),
    promConfig(app.target, `alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['${new URL(am.url).host}']\n`),
  );
  const promPort = await freePort();
  const prom = spawn(
    PROMETHEUS,
    [`--config.file=${join(dir, 'p', 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'p', 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn', '--rules.alert.resend-delay=1s'],
    { stdio: 'ignore' },
  );
  const v = await startTestVigil({ configFile: join(dir, 'v', 'prometheus.yml'), alertmanagerConfigFile: join(dir, 'v', 'am.yml'), alertmanagerStoragePath: join(dir, 'v', 'am'), resendDelay: 1000 });
  try {
    await waitReady(`http://127.0.0.1:${promPort}/-/ready`, 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    app.setRate(5);
    const firing = await Promise.all([vHook, pHook].map((h) => until('firing', 30_000, () => h.bodies.find((b) => b.status === 'firing'))));
    assert.deepEqual(normalize(firing[0]!), normalize(firing[1]!));
    app.setRate(0);
    const resolved = await Promise.all([vHook, pHook].map((h) => until('resolved', 30_000, () => h.bodies.find((b) => b.status === 'resolved'))));
    assert.deepEqual(normalize(resolved[0]!), normalize(resolved[1]!));
  } finally {
    prom.kill('SIGTERM');
    await new Promise((r) => prom.once('exit', r));
    await am.stop();
    await v.close();
    await vHook.close();
    await pHook.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
