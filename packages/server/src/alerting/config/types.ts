import type { Matcher } from '@vigil/core';

/** Durations are milliseconds. Field names keep the YAML spellings. */
export interface GlobalConfig {
  resolve_timeout: number;
  smtp_from?: string;
  smtp_hello: string;
  smtp_smarthost?: string;
  smtp_auth_username?: string;
  smtp_auth_password?: string;
  smtp_auth_identity?: string;
  smtp_auth_secret?: string;
  smtp_require_tls: boolean;
  slack_api_url?: string;
  pagerduty_url: string;
  opsgenie_api_url: string;
  opsgenie_api_key?: string;
  telegram_api_url: string;
  [key: string]: unknown;
}

/** A node of the routing tree with every inherited value resolved. */
export interface RouteConfig {
  receiver: string;
  group_by: string[];
  /** `group_by: ['...']`: group by all labels. */
  group_by_all: boolean;
  matchers: Matcher[];
  continue: boolean;
  group_wait: number;
  group_interval: number;
  repeat_interval: number;
  mute_time_intervals: string[];
  active_time_intervals: string[];
  routes: RouteConfig[];
}

export interface InhibitRuleConfig {
  source_matchers: Matcher[];
  target_matchers: Matcher[];
  equal: string[];
}

/** One `times:` entry; minutes of the day, start inclusive, end exclusive. */
export interface TimeRange {
  start_minute: number;
  end_minute: number;
}

export interface TimeIntervalSpec {
  times?: TimeRange[];
  /** Inclusive ranges of 0 (Sunday) .. 6. */
  weekdays?: Array<[number, number]>;
  /** Inclusive ranges; negative counts from the month's end. */
  days_of_month?: Array<[number, number]>;
  months?: Array<[number, number]>;
  years?: Array<[number, number]>;
  location?: string;
}

export interface TimeIntervalConfig {
  name: string;
  time_intervals: TimeIntervalSpec[];
}

/** The integration kinds a receiver may list, by YAML key. */
export const INTEGRATION_KEYS = [
  'webhook_configs',
  'slack_configs',
  'email_configs',
  'pagerduty_configs',
  'discord_configs',
  'msteams_configs',
  'telegram_configs',
  'opsgenie_configs',
  'victorops_configs',
  'pushover_configs',
  'wechat_configs',
  'sns_configs',
  'webex_configs',
] as const;
export type IntegrationKey = (typeof INTEGRATION_KEYS)[number];

/** An integration's settings with Alertmanager's defaults applied; keys as in YAML. */
export type IntegrationConfig = Record<string, unknown> & { send_resolved: boolean };

export interface ReceiverConfig {
  name: string;
  integrations: Partial<Record<IntegrationKey, IntegrationConfig[]>>;
}

/** A parsed, validated alertmanager.yml. */
export interface AlertmanagerFileConfig {
  global: GlobalConfig;
  route: RouteConfig;
  inhibit_rules: InhibitRuleConfig[];
  receivers: ReceiverConfig[];
  templates: string[];
  time_intervals: TimeIntervalConfig[];
  /** The file's text, as `/api/v2/status` reports it. */
  original: string;
}
