import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { silentLogger } from '@vigil/core';
import { parseConfig } from '../../config/index.ts';
import type { TargetGroup } from '../index.ts';
import { HttpDiscovery } from './index.ts';

test('http_sd polls a URL for file_sd-shaped JSON and keeps the last good groups on failure', async () => {
  let answer: { status: number; type: string; body: string } = {
    status: 200,
    type: 'application/json',
    body: JSON.stringify([{ targets: ['h1:9100'], labels: { team: 'core' } }]),
  };
  const auth: string[] = [];
  const server = createServer((req, res) => {
    auth.push(String(req.headers.authorization));
    res.writeHead(answer.status, { 'content-type': answer.type });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/sd`;
  const cfg = parseConfig(`scrape_configs:\n  - job_name: h\n    http_sd_configs:\n      - url: ${url}\n        refresh_interval: 1h\n        authorization: {credentials: secret}\n`, '<t>')
    .scrape_configs[0]!.http_sd_configs[0]!;
  let last: TargetGroup[] | undefined;
  const d = new HttpDiscovery(cfg, silentLogger(), (g) => (last = g));
  try {
    await d.start();
    assert.deepEqual(last, [{ source: `${url}:0`, labels: { team: 'core', __meta_url: url }, targets: [{ __address__: 'h1:9100' }] }]);
    assert.deepEqual(auth, ['Bearer secret']);
    answer = { status: 500, type: 'text/plain', body: 'oops' };
    await d.refresh();
    assert.equal(last!.length, 1, 'a failed poll keeps the previous groups');
    answer = { status: 200, type: 'text/html', body: '[]' };
    await d.refresh();
    assert.equal(last!.length, 1, 'a wrong content type is a failure');
    answer = { status: 200, type: 'application/json; charset=utf-8', body: '[]' };
    await d.refresh();
    assert.deepEqual(last, []);
  } finally {
    d.stop();
    server.close();
  }
});

test('http_sd URLs must be http or https', () => {
  assert.throws(() => parseConfig('scrape_configs:\n  - job_name: h\n    http_sd_configs:\n      - url: ftp://x/sd\n', 'p.yml'), /p\.yml:4:14: scrape_configs\[0\]\.http_sd_configs\[0\]\.url: URL scheme must be "http" or "https"/);
});
