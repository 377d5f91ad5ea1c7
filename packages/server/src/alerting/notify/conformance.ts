import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { silentLogger } from '@vigil/core';
import type { IntegrationConfig } from '../config/index.ts';
import { fingerprint, type Alert } from '../types.ts';
import { NotifyError, type IntegrationDeps, type IntegrationFactory, type NotifyContext } from './notifier.ts';

/** A request the loopback receiver got. */
export interface Received {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What an integration's test supplies to {@link runConformance}. */
export interface ConformanceCase {
  factory: IntegrationFactory;
  /** The integration's config pointing at `url` (a loopback URL whose path holds a secret). */
  config(url: string): IntegrationConfig;
  /** Checks the exact request the receiver got for {@link conformanceAlerts}. */
  checkRequest(r: Received, ctx: NotifyContext): void;
  deps?: Partial<IntegrationDeps>;
}

/** The secret embedded in every URL the conformance run hands out. */
export const SECRET = 'S3CR3T-token-123';

/** Fixed alerts used by every integration's conformance run. */
export function conformanceAlerts(now: number): Alert[] {
  const mk = (labels: Record<string, string>, endsAt: number): Alert => ({
    labels, annotations: { summary: `summary of ${labels.instance}`, description: 'desc' }, startsAt: now - 60_000, endsAt,
    generatorURL: 'http://prometheus.example/graph', updatedAt: now, timeout: false, fingerprint: fingerprint(labels),
  });
  return [mk({ alertname: 'HighLatency', instance: 'a', severity: 'critical' }, 0), mk({ alertname: 'HighLatency', instance: 'b', severity: 'critical' }, now - 1000)];
}

/**
 * The checks every integration runs (Alertmanager notify/test): exact
 * request at a loopback receiver, retry on 5xx and 429 only, and no secret
 * in any error, including connection failures.
 */
export function runConformance(c: ConformanceCase): void {
  const now = Date.UTC(2024, 4, 1, 12, 0, 0);
  const ctx = (): NotifyContext => ({
    signal: AbortSignal.timeout(5000), logger: silentLogger(), receiver: 'team', groupKey: '{}:{alertname="HighLatency"}',
    groupLabels: { alertname: 'HighLatency' }, repeatInterval: 3600_000, muteTimeIntervals: [], activeTimeIntervals: [], now,
  });
  const deps: IntegrationDeps = { logger: silentLogger(), externalURL: 'http://vigil.example:9093', ...c.deps };

  async function withReceiver(status: number, fn: (url: string, got: Received[]) => Promise<void>): Promise<void> {
    const got: Received[] = [];
    const srv = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        got.push({ method: req.method!, path: req.url!, headers: req.headers, body });
        res.statusCode = status;
        res.end(status >= 400 ? `{"error":"status ${status}"}` : '{"ok":true}');
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    try {
      await fn(`http://127.0.0.1:${port}/hook/${SECRET}?key=${SECRET}`, got);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  }

  test(`${c.factory.type}: sends the exact request`, async () => {
    await withReceiver(200, async (url, got) => {
      const x = ctx();
      await c.factory.create(c.config(url), deps).notify(x, conformanceAlerts(now));
      assert.equal(got.length, 1);
      c.checkRequest(got[0]!, x);
    });
  });

  for (const [status, retryable] of [[500, true], [502, true], [503, true], [429, true], [400, false], [401, false], [403, false], [404, false]] as const) {
    test(`${c.factory.type}: status ${status} is ${retryable ? '' : 'not '}retryable and leaks no secret`, async () => {
      await withReceiver(status, async (url) => {
        await assert.rejects(c.factory.create(c.config(url), deps).notify(ctx(), conformanceAlerts(now)), (err: unknown) => {
          assert.ok(err instanceof NotifyError, String(err));
          assert.equal(err.retryable, retryable);
          assert.ok(!err.message.includes(SECRET), err.message);
          return true;
        });
      });
    });
  }

  test(`${c.factory.type}: connection failure is retryable and leaks no secret`, async () => {
    let dead = '';
    await withReceiver(200, async (url) => {
      dead = url;
    });
    await assert.rejects(c.factory.create(c.config(dead), deps).notify(ctx(), conformanceAlerts(now)), (err: unknown) => {
      assert.ok(err instanceof NotifyError);
      assert.equal(err.retryable, true);
      assert.ok(!err.message.includes(SECRET), err.message);
      return true;
    });
  });
}
