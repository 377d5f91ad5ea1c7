import { readFileSync } from 'node:fs';
import type { IntegrationConfig } from '../../config/index.ts';
import { createRenderer, templateData } from '../../template/index.ts';
import { postJSON, postRaw, type IntegrationDeps, type IntegrationFactory, type Notifier, type NotifyContext } from '../notifier.ts';
import type { Alert } from '../../types.ts';

/**
 * Builds Alertmanager's webhook payload (version 4): template data plus
 * `version`, `groupKey` and `truncatedAlerts`, alerts cut to `max_alerts`.
 */
export function webhookPayload(conf: IntegrationConfig, deps: IntegrationDeps, ctx: NotifyContext, alerts: readonly Alert[]): unknown {
  const max = Number(conf.max_alerts ?? 0);
  const kept = max > 0 ? alerts.slice(0, max) : alerts;
  return {
    ...templateData(ctx.receiver, ctx.groupLabels, kept, deps.externalURL, ctx.now),
    version: '4',
    groupKey: ctx.groupKey,
    truncatedAlerts: alerts.length - kept.length,
  };
}

/** The webhook integration (notify/webhook in Alertmanager). */
export const webhook: IntegrationFactory = {
  type: 'webhook',
  schema: { key: 'webhook_configs' },
  create(conf: IntegrationConfig, deps: IntegrationDeps): Notifier {
    return {
      async notify(ctx, alerts) {
        const url = conf.url_file ? readFileSync(String(conf.url_file), 'utf8').trim() : String(conf.url);
        const payload = webhookPayload(conf, deps, ctx, alerts) as ReturnType<typeof templateData>;
        // `timeout` bounds one attempt; the pipeline's deadline bounds them all.
        const signal = Number(conf.timeout) > 0 ? AbortSignal.any([ctx.signal, AbortSignal.timeout(Number(conf.timeout))]) : ctx.signal;
        if (typeof conf.body_template === 'string') {
          // Vigil extension: a custom body rendered from the same data (sent as is).
          const body = (deps.render ?? createRenderer())(conf.body_template, payload);
          await postRaw(url, body, signal);
          return;
        }
        await postJSON(url, payload, signal);
      },
    };
  },
};
