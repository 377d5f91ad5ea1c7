import type { IntegrationFactory } from '../notifier.ts';
import { postJSON } from '../notifier.ts';
import { hashKey, renderContext, secret, truncate } from '../util.ts';

/** Opsgenie Alert API v2: create while firing, close by alias when resolved. */
export const opsgenie: IntegrationFactory = {
  type: 'opsgenie',
  schema: { key: 'opsgenie_configs' },
  create(conf, deps) {
    return {
      async notify(ctx, alerts) {
        const { data, t } = renderContext(deps, ctx, alerts);
        const base = String(conf.api_url).replace(/\/?$/, '/');
        const alias = hashKey(ctx.groupKey);
        const headers = { authorization: `GenieKey ${secret(conf, 'api_key')}` };
        if (data.status === 'resolved') {
          await postJSON(`${base}v2/alerts/${alias}/close?identifierType=alias`, { source: t(conf.source) }, ctx.signal, headers);
          return;
        }
        const details: Record<string, string> = {};
        for (const [k, v] of Object.entries((conf.details ?? {}) as Record<string, string>)) details[k] = t(v);
        const body: Record<string, unknown> = {
          alias,
          message: truncate(t(conf.message), 130),
          description: t(conf.description),
          details,
          source: t(conf.source),
        };
        if (conf.tags) body.tags = t(conf.tags).split(',').map((x) => x.trim()).filter(Boolean);
        if (conf.note) body.note = t(conf.note);
        if (conf.priority) body.priority = t(conf.priority);
        if (Array.isArray(conf.responders)) body.responders = conf.responders;
        await postJSON(`${base}v2/alerts`, body, ctx.signal, headers);
      },
    };
  },
};
