import type { IntegrationFactory } from '../notifier.ts';
import { postJSON } from '../notifier.ts';
import { renderContext, secret } from '../util.ts';

/** Microsoft Teams incoming-webhook MessageCard, as Alertmanager's notify/msteams. */
export const msteams: IntegrationFactory = {
  type: 'msteams',
  schema: { key: 'msteams_configs' },
  create(conf, deps) {
    return {
      async notify(ctx, alerts) {
        const { data, t } = renderContext(deps, ctx, alerts);
        const body = {
          '@context': 'http://schema.org/extensions',
          type: 'MessageCard',
          title: t(conf.title),
          summary: t(conf.summary),
          text: t(conf.text),
          themeColor: data.status === 'firing' ? '8C1A1A' : '2DC72D',
        };
        await postJSON(secret(conf, 'webhook_url'), body, ctx.signal);
      },
    };
  },
};
