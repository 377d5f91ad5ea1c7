import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { silentLogger } from '@vigil/core';
import { createAlertmanager } from '../alertmanager.ts';

test('templates: files and a custom webhook body reach the receiver; a broken file fails the reload', async () => {
  const bodies: string[] = [];
  const srv = createServer((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => {
      bodies.push(b);
      res.end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-tmpl-'));
  mkdirSync(join(dir, 'tmpl'));
  writeFileSync(join(dir, 'tmpl', 'chat.tmpl'), '{{ define "chat.text" }}{{ .Status | toUpper }} {{ range .Alerts }}{{ .Labels.alertname }}={{ .Annotations.summary }};{{ end }}{{ end }}');
  writeFileSync(join(dir, 'tmpl', 'ignored.txt'), '{{ broken');
  const cfg = (extra = '') => `
templates: ['tmpl/*.tmpl'${extra}]
route:
  receiver: hook
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:${port}/
        body_template: '{"text": "{{ template "chat.text" . }}", "n": {{ len .Alerts }}}'
`;
  writeFileSync(join(dir, 'am.yml'), cfg());
  const am = createAlertmanager({ configFile: join(dir, 'am.yml'), logger: silentLogger(), registry: new Registry(), externalUrl: 'http://am' });
  await am.start();
  try {
    const r = await am.testReceiver('hook', [{ labels: { alertname: 'Disk' }, annotations: { summary: 'full 90%' } }]);
    assert.deepEqual(r, [{ integration: 'webhook', index: 0 }]);
    assert.deepEqual(JSON.parse(bodies[0]!), { text: 'FIRING Disk=full 90%;', n: 1 });
    writeFileSync(join(dir, 'tmpl', 'bad.tmpl'), '{{ define "x" }}{{ nosuchfunc }}{{ end }}');
    await assert.rejects(am.reload(), /nosuchfunc/);
    // The old templates keep working after the failed reload.
    await am.testReceiver('hook');
    assert.equal(JSON.parse(bodies[1]!).text, 'FIRING TestAlert=Notification test;');
  } finally {
    await am.stop();
    await new Promise((r) => srv.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
