import type { IntegrationFactory } from '../notifier.ts';
import { postJSON } from '../notifier.ts';
import { renderContext, secret, truncate } from '../util.ts';

/** Telegram Bot API sendMessage; the bot token is part of the URL, so errors redact it. */
export const telegram: IntegrationFactory = {
  type: 'telegram',
  schema: { key: 'telegram_configs' },
  create(conf, deps) {
    return {
      async notify(ctx, alerts) {
        const { t } = renderContext(deps, ctx, alerts);
        const body: Record<string, unknown> = {
          chat_id: conf.chat_id,
          text: truncate(t(conf.message), 4096),
          parse_mode: conf.parse_mode,
          disable_notification: conf.disable_notifications === true,
        };
        if (conf.message_thread_id !== undefined) body.message_thread_id = conf.message_thread_id;
        const base = String(conf.api_url).replace(/\/$/, '');
        await postJSON(`${base}/bot${secret(conf, 'bot_token')}/sendMessage`, body, ctx.signal);
      },
    };
  },
};
