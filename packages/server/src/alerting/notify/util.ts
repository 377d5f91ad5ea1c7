import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRenderer, templateData, type TemplateData } from '../template/index.ts';
import type { Alert } from '../types.ts';
import type { IntegrationDeps, NotifyContext } from './notifier.ts';

/** Template data plus a renderer bound to it, for one notification. */
export function renderContext(
  deps: IntegrationDeps,
  ctx: NotifyContext,
  alerts: readonly Alert[],
): { data: TemplateData; t: (s: unknown) => string; html: (s: unknown) => string } {
  const data = templateData(ctx.receiver, ctx.groupLabels, alerts, deps.externalURL, ctx.now);
  const render = deps.render ?? createRenderer();
  return {
    data,
    t: (s) => (s === undefined || s === null ? '' : render(String(s), data)),
    html: (s) => (s === undefined || s === null ? '' : render(String(s), data, { html: true })),
  };
}

/** Truncates to `n` characters with an ellipsis, as Alertmanager's notify.Truncate. */
export function truncate(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : chars.slice(0, n - 1).join('') + '…';
}

/** SHA-256 hex of the group key: the stable dedup/alias key PagerDuty and Opsgenie get. */
export function hashKey(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex');
}

/** A secret given inline or as `<key>_file`. */
export function secret(conf: Record<string, unknown>, key: string): string {
  const f = conf[`${key}_file`];
  return f ? readFileSync(String(f), 'utf8').trim() : String(conf[key] ?? '');
}
