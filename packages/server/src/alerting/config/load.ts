import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, ConfigErrors, Matcher, parseDuration } from '@vigil/core';
// NOTE: positions.ts is the Prometheus config loader's YAML locator; sharing it
// keeps both loaders' file:line:col output identical.
import { displayPath, locate, type KeyPath } from '../../config/positions.ts';
import { parseMatchers } from './matchers.ts';
import {
  INTEGRATION_KEYS,
  type AlertmanagerFileConfig,
  type GlobalConfig,
  type InhibitRuleConfig,
  type IntegrationConfig,
  type IntegrationKey,
  type ReceiverConfig,
  type RouteConfig,
  type TimeIntervalConfig,
  type TimeIntervalSpec,
} from './types.ts';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type At = (path: KeyPath, msg: string, key?: string) => void;

const GLOBAL_DEFAULTS = {
  resolve_timeout: '5m',
  smtp_hello: 'localhost',
  smtp_require_tls: true,
  pagerduty_url: 'https://events.pagerduty.com/v2/enqueue',
  opsgenie_api_url: 'https://api.opsgenie.com/',
  telegram_api_url: 'https://api.telegram.org',
  wechat_api_url: 'https://qyapi.weixin.qq.com/cgi-bin/',
  victorops_api_url: 'https://alert.victorops.com/integrations/generic/20131114/alert/',
  webex_api_url: 'https://webexapis.com/v1/messages',
} as const;

const GLOBAL_KEYS = new Set([
  ...Object.keys(GLOBAL_DEFAULTS),
  'smtp_from', 'smtp_smarthost', 'smtp_auth_username', 'smtp_auth_password', 'smtp_auth_password_file',
  'smtp_auth_identity', 'smtp_auth_secret', 'slack_api_url', 'slack_api_url_file', 'opsgenie_api_key',
  'opsgenie_api_key_file', 'victorops_api_key', 'victorops_api_key_file', 'wechat_api_secret', 'wechat_api_corp_id',
  'http_config', 'telegram_bot_token', 'discord_webhook_url',
]);

const ROUTE_KEYS = new Set([
  'receiver', 'group_by', 'continue', 'matchers', 'match', 'match_re', 'group_wait', 'group_interval',
  'repeat_interval', 'mute_time_intervals', 'active_time_intervals', 'routes',
]);

const TOP_KEYS = new Set(['global', 'route', 'inhibit_rules', 'receivers', 'templates', 'mute_time_intervals', 'time_intervals']);

/** Shared keys every integration accepts. */
const COMMON = ['send_resolved', 'http_config'];

/**
 * Per integration: accepted keys and Alertmanager's `Default<X>Config`
 * values (config/notifiers.go), applied while parsing.
 */
const INTEGRATIONS: Record<string, { keys: string[]; defaults: Record<string, unknown> }> = {
  webhook_configs: { keys: ['url', 'url_file', 'max_alerts', 'timeout', 'body_template'], defaults: { send_resolved: true, max_alerts: 0 } },
  slack_configs: {
    keys: ['api_url', 'api_url_file', 'channel', 'username', 'color', 'title', 'title_link', 'pretext', 'text', 'fields',
      'short_fields', 'footer', 'fallback', 'callback_id', 'icon_emoji', 'icon_url', 'image_url', 'thumb_url',
      'link_names', 'mrkdwn_in', 'actions'],
    defaults: {
      send_resolved: false,
      username: '{{ template "slack.default.username" . }}',
      color: '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}',
      title: '{{ template "slack.default.title" . }}',
      title_link: '{{ template "slack.default.titlelink" . }}',
      pretext: '{{ template "slack.default.pretext" . }}',
      text: '{{ template "slack.default.text" . }}',
      fallback: '{{ template "slack.default.fallback" . }}',
      callback_id: '{{ template "slack.default.callbackid" . }}',
      icon_emoji: '{{ template "slack.default.iconemoji" . }}',
      icon_url: '{{ template "slack.default.iconurl" . }}',
      footer: '{{ template "slack.default.footer" . }}',
      link_names: false,
      short_fields: false,
    },
  },
  email_configs: {
    keys: ['to', 'from', 'hello', 'smarthost', 'auth_username', 'auth_password', 'auth_password_file', 'auth_secret',
      'auth_identity', 'headers', 'html', 'text', 'require_tls', 'tls_config'],
    defaults: { send_resolved: false, html: '{{ template "email.default.html" . }}', text: '' },
  },
  pagerduty_configs: {
    keys: ['routing_key', 'routing_key_file', 'service_key', 'service_key_file', 'url', 'client', 'client_url',
      'description', 'details', 'images', 'links', 'source', 'severity', 'class', 'component', 'group'],
    defaults: {
      send_resolved: true,
      description: '{{ template "pagerduty.default.description" .}}',
      client: '{{ template "pagerduty.default.client" . }}',
      client_url: '{{ template "pagerduty.default.clientURL" . }}',
      severity: 'error',
    },
  },
  discord_configs: {
    keys: ['webhook_url', 'webhook_url_file', 'title', 'message'],
    defaults: { send_resolved: true, title: '{{ template "discord.default.title" . }}', message: '{{ template "discord.default.message" . }}' },
  },
  msteams_configs: {
    keys: ['webhook_url', 'webhook_url_file', 'title', 'summary', 'text'],
    defaults: {
      send_resolved: true,
      title: '{{ template "msteams.default.title" . }}',
      summary: '{{ template "msteams.default.summary" . }}',
      text: '{{ template "msteams.default.text" . }}',
    },
  },
  telegram_configs: {
    keys: ['api_url', 'bot_token', 'bot_token_file', 'chat_id', 'message', 'disable_notifications', 'parse_mode', 'message_thread_id'],
    defaults: { send_resolved: true, message: '{{ template "telegram.default.message" . }}', parse_mode: 'HTML', disable_notifications: false },
  },
  opsgenie_configs: {
    keys: ['api_key', 'api_key_file', 'api_url', 'message', 'description', 'source', 'details', 'entity', 'responders',
      'actions', 'tags', 'note', 'priority', 'update_alerts'],
    defaults: {
      send_resolved: true,
      message: '{{ template "opsgenie.default.message" . }}',
      description: '{{ template "opsgenie.default.description" . }}',
      source: '{{ template "opsgenie.default.source" . }}',
    },
  },
  victorops_configs: { keys: ['api_key', 'api_key_file', 'api_url', 'routing_key', 'message_type', 'entity_display_name', 'state_message', 'monitoring_tool', 'custom_fields'], defaults: { send_resolved: true } },
  pushover_configs: { keys: ['user_key', 'user_key_file', 'token', 'token_file', 'title', 'message', 'url', 'url_title', 'device', 'sound', 'priority', 'retry', 'expire', 'html'], defaults: { send_resolved: true } },
  wechat_configs: { keys: ['api_secret', 'api_url', 'corp_id', 'message', 'message_type', 'agent_id', 'to_user', 'to_party', 'to_tag'], defaults: { send_resolved: false } },
  sns_configs: { keys: ['api_url', 'sigv4', 'topic_arn', 'phone_number', 'target_arn', 'subject', 'message', 'attributes'], defaults: { send_resolved: true } },
  webex_configs: { keys: ['api_url', 'room_id', 'message'], defaults: { send_resolved: true } },
};

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** Reads and parses an alertmanager.yml; see {@link parseAlertmanagerConfig}. */
export async function loadAlertmanagerConfigFile(filename: string): Promise<AlertmanagerFileConfig> {
  return parseAlertmanagerConfig(await readFile(filename, 'utf8'), filename);
}

/**
 * Parses and validates an alertmanager.yml with Alertmanager's defaults and
 * rules. Every problem is collected and thrown together as
 * {@link ConfigErrors}, each as `file:line:col: key.path: message`.
 * Error messages never include secret values (URLs, keys): only key paths.
 */
export function parseAlertmanagerConfig(text: string, filename: string): AlertmanagerFileConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const errors: ConfigError[] = [];
  const at: At = (path, msg, key) => {
    const { line, col } = locate(doc, lc, path, key);
    errors.push(new ConfigError(filename, line, col, displayPath(key !== undefined ? [...path, key] : path), msg));
  };
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
    errors.push(new ConfigError(filename, pos.line, pos.col, '', e.message.split('\n')[0]!));
  }
  if (errors.length) throw new ConfigErrors(errors);
  const raw = (doc.toJS() ?? {}) as Raw;
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null) {
    at([], 'the configuration must be a YAML mapping');
    throw new ConfigErrors(errors);
  }
  unknownKeys(raw, [], TOP_KEYS, at);

  const global = parseGlobal(raw.global ?? {}, at);
  const timeIntervals = [
    ...parseTimeIntervals(raw.time_intervals, ['time_intervals'], at),
    ...parseTimeIntervals(raw.mute_time_intervals, ['mute_time_intervals'], at),
  ];
  const tiNames = new Set<string>();
  for (const ti of timeIntervals) {
    if (tiNames.has(ti.name)) at(['time_intervals'], `time interval "${ti.name}" is not unique`);
    tiNames.add(ti.name);
  }
  const receivers = parseReceivers(raw.receivers, global, at);
  const rcvNames = new Set(receivers.map((r) => r.name));

  let route: RouteConfig | undefined;
  if (raw.route === undefined || raw.route === null) at([], 'no routes provided', 'route');
  else {
    const r = raw.route as Raw;
    if (!r.receiver) at(['route'], 'root route must specify a default receiver');
    if (r.matchers || r.match || r.match_re) at(['route'], 'root route must not have any matchers');
    if (r.mute_time_intervals) at(['route'], 'root route must not have any mute time intervals');
    if (r.active_time_intervals) at(['route'], 'root route must not have any active time intervals');
    const rootDefaults: RouteConfig = {
      receiver: '', group_by: [], group_by_all: false, matchers: [], continue: false,
      group_wait: 30_000, group_interval: 300_000, repeat_interval: 14_400_000,
      mute_time_intervals: [], active_time_intervals: [], routes: [],
    };
    route = parseRoute(r, ['route'], rootDefaults, rcvNames, tiNames, at);
  }
  const inhibit = parseInhibitRules(raw.inhibit_rules, at);
  const templates: string[] = [];
  if (raw.templates !== undefined && raw.templates !== null) {
    if (!Array.isArray(raw.templates)) at(['templates'], 'must be a list of file globs');
    else raw.templates.forEach((t: unknown, i: number) => (typeof t === 'string' ? templates.push(t) : at(['templates', i], 'must be a string')));
  }
  if (errors.length) throw new ConfigErrors(sortErrors(errors));
  return { global, route: route!, inhibit_rules: inhibit, receivers, templates, time_intervals: timeIntervals, original: text };
}

function sortErrors(errs: ConfigError[]): ConfigError[] {
  return errs.sort((a, b) => a.line - b.line || a.col - b.col);
}

function unknownKeys(obj: Raw, path: KeyPath, allowed: Set<string>, at: At): void {
  for (const k of Object.keys(obj)) if (!allowed.has(k)) at(path, `field ${k} not found`, k);
}

function isMap(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function duration(v: unknown, path: KeyPath, at: At, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  try {
    return parseDuration(String(v));
  } catch {
    at(path, `not a valid duration string: ${JSON.stringify(String(v))}`);
    return dflt;
  }
}

function parseGlobal(g: unknown, at: At): GlobalConfig {
  if (!isMap(g)) {
    at(['global'], 'must be a mapping');
    g = {};
  }
  const raw = g as Raw;
  unknownKeys(raw, ['global'], GLOBAL_KEYS, at);
  const out = { ...GLOBAL_DEFAULTS, ...raw } as Raw;
  out.resolve_timeout = duration(out.resolve_timeout, ['global', 'resolve_timeout'], at, 300_000);
  if (typeof out.smtp_require_tls !== 'boolean') at(['global', 'smtp_require_tls'], 'must be a boolean');
  for (const k of ['slack_api_url', 'pagerduty_url', 'opsgenie_api_url', 'telegram_api_url']) {
    if (raw[k] !== undefined && !validURL(raw[k])) at(['global', k], 'unsupported scheme or invalid URL');
  }
  return out as GlobalConfig;
}

function validURL(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function stringList(v: unknown, path: KeyPath, at: At): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    at(path, 'must be a list of strings');
    return [];
  }
  return v.map((x, i) => {
    if (typeof x !== 'string') at([...path, i], 'must be a string');
    return String(x);
  });
}

function parseMatcherFields(
  r: Raw,
  path: KeyPath,
  at: At,
  keys: { matchers: string; match: string; match_re: string },
): Matcher[] {
  const out: Matcher[] = [];
  const eq = r[keys.match];
  if (eq !== undefined && eq !== null) {
    if (!isMap(eq)) at([...path, keys.match], 'must be a mapping of label names to values');
    else for (const [k, v] of Object.entries(eq)) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) at([...path, keys.match], `"${k}" is not a valid label name`, k);
      out.push(new Matcher('=', k, String(v)));
    }
  }
  const re = r[keys.match_re];
  if (re !== undefined && re !== null) {
    if (!isMap(re)) at([...path, keys.match_re], 'must be a mapping of label names to regular expressions');
    else for (const [k, v] of Object.entries(re)) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) at([...path, keys.match_re], `"${k}" is not a valid label name`, k);
      try {
        out.push(new Matcher('=~', k, String(v)));
      } catch (err) {
        at([...path, keys.match_re, k], `invalid regular expression: ${(err as Error).message}`);
      }
    }
  }
  const ms = r[keys.matchers];
  if (ms !== undefined && ms !== null) {
    if (!Array.isArray(ms)) at([...path, keys.matchers], 'must be a list of matchers');
    else ms.forEach((m: unknown, i: number) => {
      try {
        // A single list entry may itself hold several matchers (`{a="1", b="2"}`).
        out.push(...parseMatchers(String(m)));
      } catch (err) {
        at([...path, keys.matchers, i], (err as Error).message);
      }
    });
  }
  return out;
}

function parseRoute(r: unknown, path: KeyPath, parent: RouteConfig, rcv: Set<string>, ti: Set<string>, at: At): RouteConfig {
  if (!isMap(r)) {
    at(path, 'must be a mapping');
    return { ...parent, routes: [], matchers: [], continue: false };
  }
  unknownKeys(r, path, ROUTE_KEYS, at);
  const receiver = r.receiver === undefined || r.receiver === null ? parent.receiver : String(r.receiver);
  if (r.receiver !== undefined && !rcv.has(receiver)) at([...path, 'receiver'], `undefined receiver "${receiver}" used in route`);
  let group_by = parent.group_by;
  let group_by_all = parent.group_by_all;
  if (r.group_by !== undefined && r.group_by !== null) {
    const gb = stringList(r.group_by, [...path, 'group_by'], at);
    const seen = new Set<string>();
    for (const l of gb) {
      if (seen.has(l)) at([...path, 'group_by'], `duplicated label "${l}" in group_by`);
      seen.add(l);
      if (l !== '...' && !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l)) at([...path, 'group_by'], `invalid label name "${l}" in group_by list`);
    }
    group_by_all = seen.has('...');
    if (group_by_all && gb.length > 1) at([...path, 'group_by'], 'cannot have wildcard group_by (`...`) and other other labels at the same time');
    group_by = group_by_all ? [] : gb;
  }
  const mute = stringList(r.mute_time_intervals, [...path, 'mute_time_intervals'], at);
  const active = stringList(r.active_time_intervals, [...path, 'active_time_intervals'], at);
  for (const [k, list] of [['mute_time_intervals', mute], ['active_time_intervals', active]] as const) {
    for (const n of list) if (!ti.has(n)) at([...path, k], `undefined time interval "${n}" used in route`);
  }
  if (r.continue !== undefined && typeof r.continue !== 'boolean') at([...path, 'continue'], 'must be a boolean');
  const out: RouteConfig = {
    receiver,
    group_by,
    group_by_all,
    matchers: parseMatcherFields(r, path, at, { matchers: 'matchers', match: 'match', match_re: 'match_re' }),
    continue: r.continue === true,
    group_wait: duration(r.group_wait, [...path, 'group_wait'], at, parent.group_wait),
    group_interval: duration(r.group_interval, [...path, 'group_interval'], at, parent.group_interval),
    repeat_interval: duration(r.repeat_interval, [...path, 'repeat_interval'], at, parent.repeat_interval),
    // Unlike the timers, time intervals are not inherited (dispatch/route.go NewRoute).
    mute_time_intervals: mute,
    active_time_intervals: active,
    routes: [],
  };
  if (out.group_interval === 0) at([...path, 'group_interval'], 'group_interval cannot be zero');
  if (out.repeat_interval === 0) at([...path, 'repeat_interval'], 'repeat_interval cannot be zero');
  if (r.routes !== undefined && r.routes !== null) {
    if (!Array.isArray(r.routes)) at([...path, 'routes'], 'must be a list of routes');
    else out.routes = r.routes.map((c: unknown, i: number) => parseRoute(c, [...path, 'routes', i], out, rcv, ti, at));
  }
  return out;
}

function parseInhibitRules(v: unknown, at: At): InhibitRuleConfig[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    at(['inhibit_rules'], 'must be a list');
    return [];
  }
  const allowed = new Set(['source_match', 'source_match_re', 'source_matchers', 'target_match', 'target_match_re', 'target_matchers', 'equal']);
  return v.map((r: unknown, i: number) => {
    const path = ['inhibit_rules', i];
    if (!isMap(r)) {
      at(path, 'must be a mapping');
      return { source_matchers: [], target_matchers: [], equal: [] };
    }
    unknownKeys(r, path, allowed, at);
    return {
      source_matchers: parseMatcherFields(r, path, at, { matchers: 'source_matchers', match: 'source_match', match_re: 'source_match_re' }),
      target_matchers: parseMatcherFields(r, path, at, { matchers: 'target_matchers', match: 'target_match', match_re: 'target_match_re' }),
      equal: stringList(r.equal, [...path, 'equal'], at),
    };
  });
}

function parseReceivers(v: unknown, global: GlobalConfig, at: At): ReceiverConfig[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    at(['receivers'], 'must be a list');
    return [];
  }
  const names = new Set<string>();
  const allowed = new Set(['name', ...INTEGRATION_KEYS]);
  return v.map((r: unknown, i: number) => {
    const path = ['receivers', i];
    if (!isMap(r)) {
      at(path, 'must be a mapping');
      return { name: '', integrations: {} };
    }
    unknownKeys(r, path, allowed, at);
    const name = typeof r.name === 'string' ? r.name : '';
    if (!name) at(path, 'missing name in receiver');
    if (names.has(name)) at([...path, 'name'], `notification config name "${name}" is not unique`);
    names.add(name);
    const integrations: ReceiverConfig['integrations'] = {};
    for (const key of INTEGRATION_KEYS) {
      if (r[key] === undefined || r[key] === null) continue;
      if (!Array.isArray(r[key])) {
        at([...path, key], 'must be a list');
        continue;
      }
      integrations[key] = (r[key] as unknown[]).map((c, j) => parseIntegration(key, c, [...path, key, j], global, at));
    }
    return { name, integrations };
  });
}

function parseIntegration(key: IntegrationKey, c: unknown, path: KeyPath, g: GlobalConfig, at: At): IntegrationConfig {
  const spec = INTEGRATIONS[key]!;
  if (!isMap(c)) {
    at(path, 'must be a mapping');
    return { send_resolved: false };
  }
  unknownKeys(c, path, new Set([...COMMON, ...spec.keys]), at);
  const out = { ...spec.defaults, ...c } as IntegrationConfig;
  if (typeof out.send_resolved !== 'boolean') at([...path, 'send_resolved'], 'must be a boolean');
  const need = (cond: boolean, msg: string) => {
    if (!cond) at(path, msg);
  };
  const url = (k: string) => {
    if (c[k] !== undefined && !validURL(c[k])) at([...path, k], 'unsupported scheme or invalid URL');
  };
  switch (key) {
    case 'webhook_configs':
      need(!!(c.url || c.url_file), 'one of url or url_file must be configured');
      need(!(c.url && c.url_file), 'at most one of url & url_file must be configured');
      url('url');
      if (c.timeout !== undefined) out.timeout = duration(c.timeout, [...path, 'timeout'], at, 0);
      break;
    case 'slack_configs':
      url('api_url');
      if (!c.api_url && !c.api_url_file) {
        need(!!(g.slack_api_url || g.slack_api_url_file), 'no global Slack API URL set either inline or in a file');
        out.api_url = g.slack_api_url;
        if (g.slack_api_url_file) out.api_url_file = g.slack_api_url_file;
      }
      break;
    case 'email_configs':
      need(!!c.to, 'missing to address in email config');
      out.smarthost ??= g.smtp_smarthost;
      out.from ??= g.smtp_from;
      out.hello ??= g.smtp_hello;
      out.auth_username ??= g.smtp_auth_username;
      out.auth_password ??= g.smtp_auth_password;
      out.auth_identity ??= g.smtp_auth_identity;
      out.auth_secret ??= g.smtp_auth_secret;
      out.require_tls ??= g.smtp_require_tls;
      need(!!out.smarthost, 'no global SMTP smarthost set');
      need(!!out.from, 'no global SMTP from set');
      out.headers = { ...(isMap(c.headers) ? c.headers : {}) };
      break;
    case 'pagerduty_configs':
      need(!!(c.routing_key || c.service_key || c.routing_key_file || c.service_key_file), 'missing service or routing key in PagerDuty config');
      out.url ??= g.pagerduty_url;
      url('url');
      break;
    case 'discord_configs':
    case 'msteams_configs':
      need(!!(c.webhook_url || c.webhook_url_file), 'one of webhook_url or webhook_url_file must be configured');
      url('webhook_url');
      break;
    case 'telegram_configs':
      need(!!(c.bot_token || c.bot_token_file), 'missing bot_token or bot_token_file on telegram_config');
      need(c.chat_id !== undefined, 'missing chat_id on telegram_config');
      out.api_url ??= g.telegram_api_url;
      url('api_url');
      break;
    case 'opsgenie_configs':
      out.api_url ??= g.opsgenie_api_url;
      if (!c.api_key && !c.api_key_file) {
        need(!!(g.opsgenie_api_key || g.opsgenie_api_key_file), 'no global OpsGenie API Key set either inline or in a file');
        out.api_key = g.opsgenie_api_key;
      }
      url('api_url');
      break;
    default:
      break;
  }
  return out;
}

function parseTimeIntervals(v: unknown, base: KeyPath, at: At): TimeIntervalConfig[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    at(base, 'must be a list');
    return [];
  }
  return v.map((t: unknown, i: number) => {
    const path = [...base, i];
    if (!isMap(t)) {
      at(path, 'must be a mapping');
      return { name: '', time_intervals: [] };
    }
    unknownKeys(t, path, new Set(['name', 'time_intervals']), at);
    if (!t.name) at(path, 'missing name in time interval');
    const specs = Array.isArray(t.time_intervals) ? t.time_intervals : [];
    return {
      name: String(t.name ?? ''),
      time_intervals: specs.map((s: unknown, j: number) => parseTimeIntervalSpec(s, [...path, 'time_intervals', j], at)),
    };
  });
}

function parseTimeIntervalSpec(s: unknown, path: KeyPath, at: At): TimeIntervalSpec {
  const out: TimeIntervalSpec = {};
  if (!isMap(s)) {
    at(path, 'must be a mapping');
    return out;
  }
  unknownKeys(s, path, new Set(['times', 'weekdays', 'days_of_month', 'months', 'years', 'location']), at);
  if (Array.isArray(s.times)) {
    out.times = s.times.map((tr: Raw, k: number) => {
      const st = clock(tr?.start_time, true);
      const en = clock(tr?.end_time, false);
      if (st === undefined || en === undefined || st >= en) at([...path, 'times', k], 'invalid time range: start_time must be before end_time, as HH:MM');
      return { start_minute: st ?? 0, end_minute: en ?? 0 };
    });
  }
  const ranges = (key: 'weekdays' | 'days_of_month' | 'months' | 'years', conv: (x: string) => number | undefined) => {
    if (!Array.isArray(s[key])) return;
    out[key] = s[key].map((r: unknown, k: number) => {
      const [a, b = a] = String(r).split(':');
      const lo = conv(a!.trim().toLowerCase());
      const hi = conv(b!.trim().toLowerCase());
      if (lo === undefined || hi === undefined || (key !== 'days_of_month' && lo > hi)) at([...path, key, k], `invalid range ${JSON.stringify(String(r))}`);
      return [lo ?? 0, hi ?? 0] as [number, number];
    });
  };
  ranges('weekdays', (x) => (WEEKDAYS.indexOf(x) >= 0 ? WEEKDAYS.indexOf(x) : undefined));
  ranges('days_of_month', (x) => (/^-?\d+$/.test(x) && Math.abs(+x) >= 1 && Math.abs(+x) <= 31 ? +x : undefined));
  ranges('months', (x) => (MONTHS.indexOf(x) >= 0 ? MONTHS.indexOf(x) + 1 : /^\d+$/.test(x) && +x >= 1 && +x <= 12 ? +x : undefined));
  ranges('years', (x) => (/^\d+$/.test(x) ? +x : undefined));
  if (s.location !== undefined) {
    const loc = String(s.location);
    try {
      new Intl.DateTimeFormat('en', { timeZone: loc === 'Local' ? undefined : loc });
      out.location = loc;
    } catch {
      at([...path, 'location'], `unknown time zone ${JSON.stringify(loc)}`);
    }
  }
  return out;
}

function clock(v: unknown, start: boolean): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(String(v ?? ''));
  if (!m) return undefined;
  const mins = +m[1]! * 60 + +m[2]!;
  if (+m[2]! > 59 || mins > 1440 || (start && mins === 1440)) return undefined;
  return mins;
}
