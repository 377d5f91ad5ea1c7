import nodemailer from 'nodemailer';
import type { IntegrationFactory } from '../notifier.ts';
import { NotifyError } from '../notifier.ts';
import { renderContext, secret } from '../util.ts';

/**
 * Email through an SMTP smarthost with nodemailer, as Alertmanager's
 * notify/email: `To`/`From`/`Subject` headers default to the config and
 * the default subject template; HTML and optional text bodies.
 * SMTP 5xx replies are permanent (not retried); everything else is retried.
 */
export const email: IntegrationFactory = {
  type: 'email',
  schema: { key: 'email_configs' },
  create(conf, deps) {
    return {
      async notify(ctx, alerts) {
        const { t, html } = renderContext(deps, ctx, alerts);
        const [host, port] = String(conf.smarthost).split(/:(?=\d+$)/);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries((conf.headers ?? {}) as Record<string, string>)) headers[k.toLowerCase()] = t(v);
        const to = headers.to ?? t(conf.to);
        const from = headers.from ?? t(conf.from);
        const subject = headers.subject ?? t('{{ template "email.default.subject" . }}');
        for (const k of ['to', 'from', 'subject']) delete headers[k];
        const user = conf.auth_username ? String(conf.auth_username) : '';
        const transport = nodemailer.createTransport({
          host,
          port: Number(port ?? 25),
          secure: Number(port) === 465,
          requireTLS: conf.require_tls === true,
          ignoreTLS: conf.require_tls === false,
          name: String(conf.hello ?? 'localhost'),
          auth: user ? { user, pass: secret(conf, 'auth_password') } : undefined,
          connectionTimeout: 10_000,
          tls: (conf.tls_config as { insecure_skip_verify?: boolean } | undefined)?.insecure_skip_verify ? { rejectUnauthorized: false } : undefined,
        });
        try {
          await transport.sendMail({
            from,
            to,
            subject,
            headers,
            html: conf.html ? html(conf.html) : undefined,
            text: conf.text ? t(conf.text) : undefined,
          });
        } catch (err) {
          const e = err as { responseCode?: number; message?: string };
          const pass = secret(conf, 'auth_password');
          let msg = String(e.message ?? err);
          if (pass) msg = msg.split(pass).join('<redacted>');
          throw new NotifyError(`email: ${msg}`, !(e.responseCode && e.responseCode >= 500));
        } finally {
          transport.close();
        }
      },
    };
  },
};
