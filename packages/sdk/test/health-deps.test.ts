import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import { vigil } from '../src/vigil.ts';
import { withVigil } from '../src/http/node/with-vigil.ts';
import { postgresCheck } from '../src/health/checks/postgres.ts';
import { redisCheck } from '../src/health/checks/redis.ts';
import type { HealthReport } from '../src/health/types.ts';
import { TestPostgres } from './helpers/postgres.ts';
import { TestRedis } from './helpers/redis.ts';
import { waitFor } from './helpers/ports.ts';

const db = new TestPostgres();
const cache = new TestRedis();

before(async () => {
  await Promise.all([db.start(), cache.start()]);
});
after(async () => {
  await Promise.all([db.destroy(), cache.destroy()]);
});

test('/healthz reports PostgreSQL (critical) and Redis (non-critical), degrades, fails and recovers', async () => {
  const pool = new pg.Pool({ host: '127.0.0.1', port: db.port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1000, max: 2 });
  // Idle clients error when the server goes away; the pool reconnects on the next query.
  pool.on('error', () => {});
  const redis = new Redis({ host: '127.0.0.1', port: cache.port, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100, lazyConnect: false });
  redis.on('error', () => {});
  const obs = vigil({
    service: 'health-test',
    version: '1.2.3',
    logger: { level: 'silent' },
    defaultMetrics: false,
    healthIntervalMs: 150,
    checks: [postgresCheck(pool, { timeoutMs: 1500 }), redisCheck(redis, { critical: false, timeoutMs: 500 })],
  });
  const server = createServer(withVigil(obs, (_req, res) => res.end('app')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const healthz = async () => {
    const r = await fetch(`${url}/healthz`);
    return { code: r.status, type: r.headers.get('content-type'), body: (await r.json()) as HealthReport };
  };
  const readyz = async () => (await fetch(`${url}/readyz`)).status;
  try {
    await waitFor('all checks pass', async () => (await healthz()).body.checks['redis:responseTime']?.[0]?.status === 'pass' && (await healthz()).body.status === 'pass');
    const ok = await healthz();
    assert.equal(ok.code, 200);
    assert.equal(ok.type, 'application/health+json');
    assert.equal(ok.body.serviceId, 'health-test');
    assert.equal(ok.body.version, '1.2.3');
    const pgResult = ok.body.checks['postgres:responseTime']![0]!;
    assert.equal(pgResult.componentType, 'datastore');
    assert.equal(pgResult.observedUnit, 'ms');
    assert.equal(typeof pgResult.observedValue, 'number');
    assert.ok(!Number.isNaN(Date.parse(pgResult.time)));
    assert.ok(ok.body.checks['memory:utilization']);
    assert.ok(ok.body.checks['eventloop:delay']);

    // Non-critical dependency down: degraded, still serving.
    await cache.stop();
    await waitFor('redis reported failing', async () => (await healthz()).body.checks['redis:responseTime']?.[0]?.status === 'fail');
    const degraded = await healthz();
    assert.equal(degraded.body.status, 'warn');
    assert.equal(degraded.code, 200);
    assert.equal(await readyz(), 200);
    await cache.start();
    await waitFor('redis recovered', async () => (await healthz()).body.status === 'pass');

    // Critical dependency down: fail, 503, out of rotation.
    await db.stop();
    await waitFor('postgres reported failing', async () => (await healthz()).body.checks['postgres:responseTime']?.[0]?.status === 'fail');
    const failed = await healthz();
    assert.equal(failed.body.status, 'fail');
    assert.equal(failed.code, 503);
    assert.equal(await readyz(), 503);
    assert.ok(failed.body.checks['postgres:responseTime']![0]!.output);
    await db.start();
    await waitFor('postgres recovered', async () => (await healthz()).code === 200 && (await healthz()).body.status === 'pass', 15_000);
    assert.equal(await readyz(), 200);
  } finally {
    obs.close();
    server.close();
    server.closeAllConnections();
    redis.disconnect();
    await pool.end();
  }
});
