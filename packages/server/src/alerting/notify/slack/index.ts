import type { IntegrationConfig } from '../../config/index.ts';
import { postJSON, type IntegrationDeps, type IntegrationFactory, type NotifyContext } from '../notifier.ts';
import type { Alert } from '../../types.ts';
import { renderContext, secret, truncate } from '../util.ts';

/** Slack's attachment payload as Alertmanager's notify/slack sends it. */
export function slackPayload(conf: IntegrationConfig, deps: IntegrationDeps, ctx: NotifyContext, alerts: readonly Alert[]): Record<string, unknown> {
  const { t } = renderContext(deps, ctx, alerts);
  const att: Record<string, unknown> = {
    title: truncate(t(conf.title), 1024),
    title_link: t(conf.title_link),
    pretext: t(conf.pretext),
    text: t(conf.text),
    fallback: t(conf.fallback),
    callback_id: t(conf.callback_id),
    footer: t(conf.footer),
    color: t(conf.color),
    mrkdwn_in: Array.isArray(conf.mrkdwn_in) ? conf.mrkdwn_in : ['fallback', 'pretext', 'text'],
  };
  if (Array.isArray(conf.fields)) {
    att.fields = (conf.fields as Array<Record<string, unknown>>).map((f) => ({ title: t(f.title), value: t(f.value), short: f.short ?? conf.short_fields ?? false }));
  }
  if (conf.image_url) att.image_url = t(conf.image_url);
  if (conf.thumb_url) att.thumb_url = t(conf.thumb_url);
  const body: Record<string, unknown> = { channel: t(conf.channel), username: t(conf.username), attachments: [att] };
  const emoji = t(conf.icon_emoji);
  const icon = t(conf.icon_url);
  if (emoji) body.icon_emoji = emoji;
  else if (icon) body.icon_url = icon;
  if (conf.link_names) body.link_names = true;
  return body;
}

/** Slack (incoming webhook, or chat.postMessage with a bearer token in http_config). */
export const slack: IntegrationFactory = {
  type: 'slack',
  schema: { key: 'slack_configs' },
  create(conf, deps) {
    return {
      async notify(ctx, alerts) {
        const http = (conf.http_config ?? {}) as { authorization?: { credentials?: string } };
        const headers: Record<string, string> = http.authorization?.credentials ? { authorization: `Bearer ${http.authorization.credentials}` } : {};
        await postJSON(secret(conf, 'api_url'), slackPayload(conf, deps, ctx, alerts), ctx.signal, headers);
      },
    };
  },
};
