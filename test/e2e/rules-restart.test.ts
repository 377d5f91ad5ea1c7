// Restart during `for`: the pending time before a restart counts, so the
// alert fires on time after the restart instead of `for` later
// (ALERTS_FOR_STATE restore, as Prometheus's --rules.alert.for-grace-period).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@vigil/core';
import { defaultOptions, startVigil } from '@vigil/server/app/index.ts';

type ApiAlert = { state: string; activeAt: string };

async function alerts(url: string): Promise<ApiAlert[]> {
  return ((await (await fetch(`${url}/api/v1/alerts`)).json()) as { data: { alerts: ApiAlert[] } }).data.alerts;
}

test('rules e2e: an alert pending across a restart fires on time', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-restart-'));
  writeFileSync(join(dir, 'rules.yml'), `groups:\n  - name: g\n    interval: 1s\n    rules:\n      - alert: Always\n        expr: vector(1)\n        for: 10s\n`);
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n`);
  // A grace period below `for`, so the restore is not cut short by it.
  const opts = () => defaultOptions(createLogger({ level: 'warn' }), { listenAddress: '127.0.0.1:0', storagePath: join(dir, 'data'), configFile: join(dir, 'prometheus.yml'), forGracePeriod: 1000 });
  try {
    let v = await startVigil(opts());
    const deadline = Date.now() + 15_000;
    let first: ApiAlert | undefined;
    while (Date.now() < deadline) {
      first = (await alerts(v.url))[0];
      if (first && Date.now() - Date.parse(first.activeAt) >= 6000) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(first?.state, 'pending');
    const activeAt = Date.parse(first!.activeAt);
    await v.stop();
    const down = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    v = await startVigil(opts());
    const restarted = Date.now();
    try {
      let firedAt = 0;
      while (Date.now() - restarted < 15_000) {
        const a = (await alerts(v.url))[0];
        if (a?.state === 'firing') {
          firedAt = Date.now();
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(firedAt, 'fired after restart');
      // Without restore it would fire 10s after the restart; with it, 10s of
      // up-time after activeAt: about 10 - (down - activeAt) seconds after restart.
      const expected = 10_000 - (down - activeAt);
      assert.ok(firedAt - restarted < expected + 3000, `fired ${firedAt - restarted} ms after restart, expected about ${expected}`);
      assert.ok(firedAt - restarted < 8000);
    } finally {
      await v.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
