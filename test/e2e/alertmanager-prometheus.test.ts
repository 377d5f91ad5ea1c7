// Debian's prometheus uses Vigil's standalone router as its Alertmanager:
// a rule fires, Prometheus posts to /api/v2/alerts, Vigil routes it to a
// loopback webhook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@vigil/core';
import { startStandaloneAlertmanager } from '../../packages/server/src/api/v2/index.ts';
import { freePort, startHook, waitReady } from './alertmanager-helpers.ts';

const PROMETHEUS = '/usr/bin/prometheus';

test('Debian prometheus sends its alerts to Vigil', { skip: !existsSync(PROMETHEUS) && 'prometheus not installed', timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-prom-'));
  const hook = await startHook();
  writeFileSync(
    join(dir, 'am.yml'),
    `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 200ms\n  group_interval: 1s\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: ${hook.url}\n`,
  );
  const am = await startStandaloneAlertmanager({ configFile: join(dir, 'am.yml'), storagePath: join(dir, 'am'), listenAddress: '127.0.0.1:0', logger: silentLogger() });
  const amPort = new URL(am.url).port;
  writeFileSync(join(dir, 'rules.yml'), `groups:\n  - name: g\n    interval: 1s\n    rules:\n      - alert: AlwaysOn\n        expr: vector(1)\n        labels: { severity: page }\n        annotations: { summary: 'always {{ $value }}' }\n`);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nalerting:\n  alertmanagers:\n    - api_version: v2\n      static_configs:\n        - targets: ['127.0.0.1:${amPort}']\n`,
  );
  const promPort = await freePort();
  const prom = spawn(
    PROMETHEUS,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'prom')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn',
      // The first send can precede alertmanager discovery; resend quickly rather than after 1m.
      '--rules.alert.resend-delay=1s'],
    { stdio: 'ignore' },
  );
  try {
    await waitReady(`http://127.0.0.1:${promPort}/-/ready`, 30_000);
    const deadline = Date.now() + 20_000;
    while (hook.bodies.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const b = hook.bodies[0];
    assert.ok(b, 'no notification arrived');
    assert.equal(b.receiver, 'hook');
    assert.equal(b.alerts[0].labels.alertname, 'AlwaysOn');
    assert.equal(b.alerts[0].labels.severity, 'page');
    assert.equal(b.alerts[0].annotations.summary, 'always 1');
    assert.match(b.alerts[0].generatorURL, /^http:\/\/.*graph/);
    // Prometheus lists Vigil as an active Alertmanager.
    const ams = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/alertmanagers`)).json()) as { data: { activeAlertmanagers: Array<{ url: string }> } };
    assert.equal(ams.data.activeAlertmanagers[0]?.url, `http://127.0.0.1:${amPort}/api/v2/alerts`);
  } finally {
    prom.kill('SIGTERM');
    await new Promise((r) => prom.once('exit', r));
    await am.close();
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
