import type { IntegrationFactory } from '../notifier.ts';
import { postJSON } from '../notifier.ts';
import { hashKey, renderContext, secret, truncate } from '../util.ts';

/** PagerDuty Events API v2, as Alertmanager's notify/pagerduty (routing_key configs). */
export const pagerduty: IntegrationFactory = {
  type: 'pagerduty',
  schema: { key: 'pagerduty_configs' },
  create(conf, deps) {
    return {
      async notify(ctx, alerts) {
        const { data, t } = renderContext(deps, ctx, alerts);
        const details: Record<string, string> = {
          firing: `${data.alerts.filter((a) => a.status === 'firing').length}`,
          resolved: `${data.alerts.filter((a) => a.status === 'resolved').length}`,
          num_firing: `${data.alerts.filter((a) => a.status === 'firing').length}`,
          num_resolved: `${data.alerts.filter((a) => a.status === 'resolved').length}`,
        };
        for (const [k, v] of Object.entries((conf.details ?? {}) as Record<string, string>)) details[k] = t(v);
        const body = {
          routing_key: secret(conf, conf.routing_key || conf.routing_key_file ? 'routing_key' : 'service_key'),
          event_action: data.status === 'firing' ? 'trigger' : 'resolve',
          dedup_key: hashKey(ctx.groupKey),
          payload: {
            summary: truncate(t(conf.description), 1024),
            source: conf.source ? t(conf.source) : t(conf.client),
            severity: t(conf.severity),
            custom_details: details,
            component: t(conf.component) || undefined,
            group: t(conf.group) || undefined,
            class: t(conf.class) || undefined,
          },
          client: t(conf.client),
          client_url: t(conf.client_url),
        };
        await postJSON(String(conf.url), body, ctx.signal);
      },
    };
  },
};
