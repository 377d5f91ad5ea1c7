import type { TemplateAlert, TemplateData } from './data.ts';

/**
 * Alertmanager's default templates (template/default.tmpl, 0.25) as plain
 * functions, keyed by template name. They are what an integration's default
 * title/text renders to, and the fallback when no Go-template engine is wired.
 */
const alertmanager = () => 'Alertmanager';
const amURL = (d: TemplateData) => `${d.externalURL}/#/alerts?receiver=${encodeURIComponent(d.receiver).replace(/%20/g, '+')}`;

export function subject(d: TemplateData): string {
  const firing = d.alerts.filter((a) => a.status === 'firing').length;
  let s = `[${d.status.toUpperCase()}${d.status === 'firing' ? `:${firing}` : ''}] ${Object.keys(d.groupLabels).sort().map((k) => d.groupLabels[k]).join(' ')} `;
  if (Object.keys(d.commonLabels).length > Object.keys(d.groupLabels).length) {
    const rest = Object.keys(d.commonLabels).filter((k) => !(k in d.groupLabels)).sort();
    s += `(${rest.map((k) => d.commonLabels[k]).join(' ')})`;
  }
  return s;
}

export function textAlertList(alerts: readonly TemplateAlert[]): string {
  let s = '';
  for (const a of alerts) {
    s += 'Labels:\n';
    for (const k of Object.keys(a.labels).sort()) s += ` - ${k} = ${a.labels[k]}\n`;
    s += 'Annotations:\n';
    for (const k of Object.keys(a.annotations).sort()) s += ` - ${k} = ${a.annotations[k]}\n`;
    s += `Source: ${a.generatorURL}\n`;
  }
  return s;
}

const firing = (d: TemplateData) => d.alerts.filter((a) => a.status === 'firing');
const resolved = (d: TemplateData) => d.alerts.filter((a) => a.status === 'resolved');

function firingResolvedText(d: TemplateData): string {
  let s = '\n';
  if (firing(d).length) s += `\nAlerts Firing:\n${textAlertList(firing(d))}\n`;
  s += '\n';
  if (resolved(d).length) s += `\nAlerts Resolved:\n${textAlertList(resolved(d))}\n`;
  return s + '\n';
}

export const DEFAULT_TEMPLATES: Readonly<Record<string, (d: TemplateData) => string>> = {
  __alertmanager: alertmanager,
  __alertmanagerURL: amURL,
  __subject: subject,
  'slack.default.title': subject,
  'slack.default.username': alertmanager,
  'slack.default.fallback': (d) => `${subject(d)} | ${amURL(d)}`,
  'slack.default.callbackid': () => '',
  'slack.default.pretext': () => '',
  'slack.default.titlelink': amURL,
  'slack.default.iconemoji': () => '',
  'slack.default.iconurl': () => '',
  'slack.default.text': () => '',
  'slack.default.footer': () => '',
  'pagerduty.default.description': subject,
  'pagerduty.default.client': alertmanager,
  'pagerduty.default.clientURL': amURL,
  'opsgenie.default.message': subject,
  'opsgenie.default.source': amURL,
  'opsgenie.default.description': (d) => {
    let s = `${Object.keys(d.commonAnnotations).sort().map((k) => d.commonAnnotations[k]).join(' ')}\n`;
    if (firing(d).length) s += `Alerts Firing:\n${textAlertList(firing(d))}`;
    s += '\n';
    if (resolved(d).length) s += `Alerts Resolved:\n${textAlertList(resolved(d))}`;
    return s;
  },
  'discord.default.title': subject,
  'discord.default.message': firingResolvedText,
  'msteams.default.title': subject,
  'msteams.default.summary': subject,
  'msteams.default.text': firingResolvedText,
  'telegram.default.message': firingResolvedText,
  'email.default.subject': subject,
  'email.default.html': (d) =>
    `<!DOCTYPE html><html><head><meta charset="UTF-8"><title>${esc(subject(d))}</title></head><body>` +
    `<p>${firing(d).length ? `${firing(d).length} alert${firing(d).length > 1 ? 's' : ''} for ${esc(Object.entries(d.groupLabels).map(([k, v]) => `${k}=${v}`).join(' '))}` : ''}</p>` +
    `<p><a href="${esc(amURL(d))}">View in Alertmanager</a></p>` +
    d.alerts.map((a) => `<p><strong>[${a.status.toUpperCase()}]</strong><br>${Object.keys(a.labels).sort().map((k) => `${esc(k)} = ${esc(a.labels[k]!)}<br>`).join('')}${Object.keys(a.annotations).sort().map((k) => `${esc(k)} = ${esc(a.annotations[k]!)}<br>`).join('')}<a href="${esc(a.generatorURL)}">Source</a></p>`).join('') +
    '</body></html>',
};

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
