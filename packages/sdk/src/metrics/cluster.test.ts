import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('../../test/fixtures/cluster-app.ts', import.meta.url));

/** Runs the cluster fixture (a primary and two workers) while `fn` scrapes the primary at the port it prints. */
async function withCluster(second: string, fn: (port: number) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CLUSTER_SECOND: second } });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /READY (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (c) => reject(new Error(`primary exited with ${c}`)));
    });
    await fn(port);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

test('cluster: the primary serves metrics summed across workers', async () => {
  await withCluster('normal', async (port) => {
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    // Labels in name order (the primary keys series by their formatted line).
    assert.match(body, /^queue_jobs_total\{queue="mail",service="clustered",status="completed"\} 10$/m);
    // 20k series per worker, sent in parts, summed across the two workers.
    const wide = body.split('\n').filter((l) => l.startsWith('wide_total{'));
    assert.equal(wide.length, 20_000);
    assert.ok(wide.includes('wide_total{id="19999",service="clustered"} 39998'));
    const om = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { accept: 'application/openmetrics-text' } });
    assert.match(om.headers.get('content-type') ?? '', /openmetrics/);
    assert.ok((await om.text()).endsWith('# EOF\n'));
    // A primary on prom-client's own AggregatorRegistry is answered too.
    const theirs = await (await fetch(`http://127.0.0.1:${port}/prom-client`)).text();
    assert.match(theirs, /^queue_jobs_total\{queue="mail",status="completed",service="clustered"\} 10$/m);
  });
});

test('cluster: a worker that exits while answering is left out of that scrape', async () => {
  await withCluster('exit', async (port) => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^queue_jobs_total\{queue="mail",service="clustered",status="completed"\} 5$/m);
  });
});

test('cluster: a worker that never answers fails the scrape with a 500 that says so', async () => {
  await withCluster('silent', async (port) => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(res.status, 500);
    assert.equal(await res.text(), 'cluster metrics: 1 worker(s) did not answer within 1000 ms\n');
  });
});
