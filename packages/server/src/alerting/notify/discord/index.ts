import type { IntegrationFactory } from '../notifier.ts';
import { postJSON } from '../notifier.ts';
import { renderContext, secret, truncate } from '../util.ts';

const RED = 0x992d22;
const GREEN = 0x2ecc71;

/** Discord webhook embeds, as Alertmanager's notify/discord. */
export const discord: IntegrationFactory = {
  type: 'discord',
  schema: { key: 'discord_configs' },
  create(conf, deps) {
    return {
      async notify(ctx, alerts) {
        const { data, t } = renderContext(deps, ctx, alerts);
        const body = {
          content: '',
          embeds: [{ title: truncate(t(conf.title), 256), description: truncate(t(conf.message), 4096), color: data.status === 'firing' ? RED : GREEN }],
        };
        await postJSON(secret(conf, 'webhook_url'), body, ctx.signal);
      },
    };
  },
};
