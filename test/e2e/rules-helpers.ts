import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Counter, Registry } from 'prom-client';
import { repoRoot } from './helpers/vigil.ts';

/** An app exporting `api_request_errors_total`, incremented `rate` times a second while raised. */
export async function startErrorApp(): Promise<{ target: string; setRate(r: number): void; close(): Promise<void> }> {
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
export function seedRule(): string {
  const seed = readFileSync(join(repoRoot, '../shared/fixtures/seed-configs/000-rules-platform-api.yml'), 'utf8');
  const start = seed.indexOf('      - alert: HighErrorRate');
  const end = seed.indexOf('\n\n', start);
  const rule = seed.slice(start, end).replace('[5m]', '[5s]').replace('for: 5m', 'for: 3s');
  assert.match(rule, /description: "Error rate is \{\{ \$value \}\}% over the last 5 minutes"/);
  return `groups:\n  - name: platform_api\n    interval: 1s\n    rules:\n${rule}\n`;
}

export async function until<T>(what: string, ms: number, f: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The main config for the error app: 1s scrapes and evaluations, the rule file beside it. */
export function promConfig(target: string, extra = ''): string {
  return `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nscrape_configs:\n  - job_name: platform-api\n    static_configs:\n      - targets: ['${target}']\n${extra}`;
}

/** An Alertmanager config sending every alert to one webhook quickly. */
export function amConfig(hookUrl: string): string {
  return `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 100ms\n  group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: ${hookUrl}\n`;
}
