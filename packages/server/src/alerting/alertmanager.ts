import { join } from 'node:path';
import type { Logger } from '@vigil/core';
import type { Registry } from 'prom-client';
import type { Reloadable, Service } from '../app/service.ts';
import { loadAlertmanagerConfigFile, type AlertmanagerFileConfig } from './config/index.ts';
import { Dispatcher, Route, formatLabelSet, groupLabels, type AggrGroup } from './dispatch/index.ts';
import { Inhibitor } from './inhibit/index.ts';
import { AlertingMetrics } from './metrics.ts';
import { NotificationLog } from './nflog/index.ts';
import {
  buildPipeline,
  discord,
  email,
  msteams,
  opsgenie,
  pagerduty,
  slack,
  telegram,
  webhook,
  type IntegrationFactory,
  type NotifyContext,
  type Stage,
} from './notify/index.ts';
import { MemAlertStore } from './provider/index.ts';
import { Silences } from './silence/index.ts';
import { AckStage, Acks, AlertHistory, type Ack } from './history/index.ts';
import { createRenderer, createTemplateEngine, loadTemplateFiles } from './template/index.ts';
import { fingerprint, isResolved, systemClock, type Alert, type Clock, type LabelSet } from './types.ts';

/** An alert as senders post it (API v2 `postableAlert`; times as RFC 3339 strings). */
export interface PostableAlert {
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

/** The outcome of {@link Alertmanager.put}: valid alerts are stored even when others are not. */
export interface PutResult {
  accepted: number;
  /** One entry per refused alert: its index in the batch, labels and the reason. */
  errors: string[];
}

/** An alert's state as the API shows it. */
export interface AlertStatus {
  state: 'active' | 'suppressed' | 'unprocessed';
  silencedBy: string[];
  inhibitedBy: string[];
}

export interface AlertmanagerOptions {
  configFile: string;
  /** Directory for the silences and nflog snapshots; none keeps them in memory only. */
  storagePath?: string;
  logger: Logger;
  registry: Registry;
  /** Overrides the wall clock (timers still use Node's) — prefer `clock` in tests. */
  now?: () => number;
  clock?: Clock;
  externalUrl: string;
  /** Integrations by YAML key; defaults to every built-in one. */
  integrations?: ReadonlyMap<string, IntegrationFactory>;
}

/**
 * The alert router: store, dispatcher, inhibitor, silences, nflog and
 * notification pipeline behind one Service. Alerts come in through
 * {@link Alertmanager.put} (the API and the rules engine alike).
 */
export interface Alertmanager extends Service, Reloadable<AlertmanagerFileConfig> {
  readonly externalUrl: string;
  readonly startedAt: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly store: MemAlertStore;
  readonly silences: Silences;
  readonly nflog: NotificationLog;
  /** Every alert state change, notification and acknowledgement (beyond Alertmanager). */
  readonly history: AlertHistory;
  readonly acks: Acks;
  /**
   * Acknowledges the live group with this key: no repeats until a new alert fires in it.
   * @throws Error when no such group exists.
   */
  ackGroup(groupKey: string, by: string, comment: string): Ack;
  /**
   * Sends a test notification through every integration of a receiver,
   * bypassing grouping, dedup and the nflog (Grafana's "test contact point").
   * @throws Error when the receiver does not exist.
   */
  testReceiver(name: string, alerts?: readonly PostableAlert[]): Promise<Array<{ integration: string; index: number; error?: string }>>;
  /** The current configuration (after the last successful reload). */
  config(): AlertmanagerFileConfig;
  /** Re-reads the config file and applies it; on error the old config stays. */
  reload(): Promise<void>;
  put(alerts: readonly PostableAlert[]): PutResult;
  status(a: Alert): AlertStatus;
  /** Names of the receivers the alert routes to. */
  receivers(a: Alert): string[];
  groups(): AggrGroup[];
  isReady(): boolean;
}

/** The integrations built in, by YAML key. */
export function builtinIntegrations(): Map<string, IntegrationFactory> {
  return new Map([webhook, slack, email, pagerduty, discord, msteams, telegram, opsgenie].map((f) => [f.schema.key, f]));
}

/** Builds the alert router; call `start()` to load the config and begin dispatching. */
export function createAlertmanager(opts: AlertmanagerOptions): Alertmanager {
  const base = opts.clock ?? systemClock();
  const clock: Clock = opts.now && !opts.clock ? { ...base, now: opts.now } : base;
  const logger = opts.logger;
  const integrations = opts.integrations ?? builtinIntegrations();
  const store = new MemAlertStore(clock);
  const silences = new Silences(clock, opts.storagePath ? join(opts.storagePath, 'silences.json') : undefined);
  const nflog = new NotificationLog(clock, opts.storagePath ? join(opts.storagePath, 'nflog.json') : undefined);
  const history = new AlertHistory(clock, opts.storagePath ? join(opts.storagePath, 'history.jsonl') : undefined);
  const acks = new Acks(clock, opts.storagePath ? join(opts.storagePath, 'acks.json') : undefined, (a, reason) =>
    history.record({ kind: 'unacknowledged', groupKey: a.groupKey, comment: reason }),
  );
  store.subscribe((a) => history.recordState(isResolved(a, clock.now()) ? 'resolved' : 'firing', a.fingerprint, a.labels));
  let cfg: AlertmanagerFileConfig | undefined;
  let currentRender = createRenderer();
  let route: Route | undefined;
  let inhibitor: Inhibitor | undefined;
  let dispatcher: Dispatcher | undefined;
  let pipeline: Stage | undefined;
  let started = false;
  let gcTimer: unknown;

  const self: Alertmanager = {
    externalUrl: opts.externalUrl,
    startedAt: clock.now(),
    clock,
    logger,
    store,
    silences,
    nflog,
    history,
    acks,
    ackGroup(groupKey, by, comment) {
      const g = self.groups().find((x) => x.groupKey === groupKey);
      if (!g) throw new Error(`no alert group ${groupKey}`);
      const now = clock.now();
      const firing = [...g.alerts.values()].filter((a) => !isResolved(a, now)).map((a) => a.fingerprint);
      const a = acks.ack(groupKey, firing, by, comment);
      history.record({ kind: 'acknowledged', groupKey, by, comment, alerts: a.firing, receiver: g.route.receiver });
      return a;
    },
    async testReceiver(name, posted) {
      const r = self.config().receivers.find((x) => x.name === name);
      if (!r) throw new Error(`no receiver named ${JSON.stringify(name)}`);
      const now = clock.now();
      const src = posted?.length ? posted : [{ labels: { alertname: 'TestAlert', instance: 'vigil' }, annotations: { summary: 'Notification test' } }];
      const alerts: Alert[] = [];
      for (const p of src) {
        const a = toAlert(p, now, 300_000);
        if (typeof a === 'string') throw new Error(`invalid test alert: ${a}`);
        alerts.push({ ...a, endsAt: 0 });
      }
      const labels = alerts[0]!.labels;
      const ctx: NotifyContext = {
        signal: AbortSignal.timeout(30_000), logger, receiver: name, groupKey: `{}/test:${formatLabelSet(labels)}`,
        groupLabels: labels, repeatInterval: 0, muteTimeIntervals: [], activeTimeIntervals: [], now,
      };
      const out: Array<{ integration: string; index: number; error?: string }> = [];
      for (const [key, confs] of Object.entries(r.integrations)) {
        const f = integrations.get(key);
        if (!f || !confs) continue;
        for (const [index, conf] of confs.entries()) {
          try {
            await f.create(conf, { logger, externalURL: opts.externalUrl, render: currentRender }).notify(ctx, alerts);
            out.push({ integration: f.type, index });
          } catch (err) {
            out.push({ integration: f.type, index, error: (err as Error).message });
          }
        }
      }
      history.record({ kind: 'notified', receiver: name, groupKey: ctx.groupKey, integration: 'test', alerts: alerts.map((a) => a.fingerprint) });
      return out;
    },
    config() {
      if (!cfg) throw new Error('alertmanager not started');
      return cfg;
    },
    async start() {
      if (started) return;
      await self.applyConfig(await loadAlertmanagerConfigFile(opts.configFile));
      started = true;
      const gc = () => {
        store.gc();
        nflog.gc();
        gcTimer = clock.setTimeout(gc, 30 * 60_000);
      };
      gcTimer = clock.setTimeout(gc, 30 * 60_000);
    },
    async stop() {
      dispatcher?.stop();
      inhibitor?.stop();
      clock.clearTimeout(gcTimer);
      dispatcher = undefined;
      started = false;
    },
    async reload() {
      await self.applyConfig(await loadAlertmanagerConfigFile(opts.configFile));
    },
    async applyConfig(next) {
      // Build everything first, so a failure leaves the running config alone.
      const nextRoute = new Route(next.route);
      const nextInhibitor = new Inhibitor(next.inhibit_rules, clock);
      // Template files are parsed now, so a broken one fails the reload, not a notification.
      const render = createRenderer(createTemplateEngine(loadTemplateFiles(next.templates, opts.configFile)));
      const nextPipeline = buildPipeline(next, {
        clock,
        logger,
        nflog,
        inhibitor: nextInhibitor,
        silences,
        integrations,
        integrationDeps: { logger, externalURL: opts.externalUrl, render },
        hooks: {
          attempt: (i) => metrics.notificationRequests.inc({ integration: i }),
          failed: (i) => metrics.notificationsFailed.inc({ integration: i }),
          sent: (i, ctx, sent) => {
            metrics.notifications.inc({ integration: i });
            for (const a of sent) history.recordState(isResolved(a, ctx.now) ? 'resolved' : 'unmuted', a.fingerprint, a.labels);
            history.record({ kind: 'notified', groupKey: ctx.groupKey, receiver: ctx.receiver, integration: i, alerts: sent.map((a) => a.fingerprint) });
          },
          muted: (a, by) => history.recordState(by, a.fingerprint, a.labels),
        },
        extraStages: [new AckStage(acks)],
      });
      dispatcher?.stop();
      inhibitor?.stop();
      cfg = next;
      currentRender = render;
      route = nextRoute;
      inhibitor = nextInhibitor;
      pipeline = nextPipeline;
      inhibitor.run(store);
      dispatcher = new Dispatcher(route, store, clock, flush, logger);
      dispatcher.start();
    },
    put(alerts) {
      const now = clock.now();
      const resolveTimeout = cfg?.global.resolve_timeout ?? 300_000;
      const errors: string[] = [];
      const valid: Alert[] = [];
      alerts.forEach((p, i) => {
        const r = toAlert(p, now, resolveTimeout);
        if (typeof r === 'string') {
          errors.push(`alert ${i}${p && typeof p === 'object' && p.labels ? ` ${JSON.stringify(p.labels)}` : ''}: ${r}`);
          metrics.alertsInvalid.inc();
        } else {
          valid.push(r);
          metrics.alertsReceived.inc({ status: isResolved(r, now) ? 'resolved' : 'firing' });
        }
      });
      store.put(...valid);
      return { accepted: valid.length, errors };
    },
    status(a) {
      const silencedBy = silences.mutedBy(a.labels);
      const inhibitedBy = inhibitor?.inhibitedBy(a.labels) ?? [];
      return { state: silencedBy.length || inhibitedBy.length ? 'suppressed' : 'active', silencedBy, inhibitedBy };
    },
    receivers(a) {
      return route ? route.match(a.labels).map((r) => r.receiver) : [];
    },
    groups() {
      return dispatcher?.listGroups() ?? [];
    },
    isReady() {
      return started;
    },
  };

  const metrics = new AlertingMetrics(opts.registry, () => {
    const now = clock.now();
    const alerts = { active: 0, suppressed: 0, unprocessed: 0 };
    for (const a of store.list()) if (!isResolved(a, now)) alerts[self.status(a).state]++;
    const sil = { active: 0, pending: 0, expired: 0 };
    for (const s of silences.list()) sil[silences.state(s, now)]++;
    return { alerts, silences: sil, nflog: nflog.size };
  });

  async function flush(g: AggrGroup, alerts: readonly Alert[], signal: AbortSignal): Promise<boolean> {
    if (!pipeline) return false;
    const ctx: NotifyContext = {
      signal,
      logger,
      receiver: g.route.receiver,
      groupKey: g.groupKey,
      groupLabels: g.labels,
      repeatInterval: g.route.opts.repeat_interval,
      muteTimeIntervals: g.route.opts.mute_time_intervals,
      activeTimeIntervals: g.route.opts.active_time_intervals,
      now: clock.now(),
    };
    try {
      await pipeline.exec(ctx, alerts);
      return true;
    } catch (err) {
      logger.error({ receiver: ctx.receiver, groupKey: ctx.groupKey, err: (err as Error).message }, 'notify for alerts failed');
      return false;
    }
  }

  return self;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** 0001-01-01T00:00:00Z, Go's zero time.Time, in Unix ms. */
const GO_ZERO_TIME = -62135596800000;

function parseTime(s: unknown): number | string {
  if (s === undefined || s === null || s === '' || s === '0001-01-01T00:00:00Z') return 0;
  if (typeof s !== 'string') return 'time must be an RFC 3339 string';
  const t = Date.parse(s);
  if (Number.isNaN(t)) return `invalid time ${JSON.stringify(s)}`;
  // Go clients send their zero time in several spellings ("0001-01-01T00:00:00.000Z").
  return t <= GO_ZERO_TIME ? 0 : t;
}

function labelMap(v: unknown, what: string): Record<string, string> | string {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) return `${what} must be an object`;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') return `${what}: value of ${JSON.stringify(k)} must be a string`;
    // Alertmanager's v2 API drops empty label values before validating.
    if (what === 'labels' && x === '') continue;
    if (!LABEL_NAME.test(k)) return `invalid label set: invalid name "${k}"`;
    out[k] = x;
  }
  return out;
}

/**
 * Turns a posted alert into a stored one with Alertmanager's API defaults:
 * startsAt defaults to now (or endsAt), a missing endsAt becomes
 * now + resolve_timeout with `timeout` set. Returns the reason when invalid.
 */
export function toAlert(p: PostableAlert, now: number, resolveTimeout: number): Alert | string {
  if (!p || typeof p !== 'object') return 'alert must be an object';
  const labels = labelMap(p.labels, 'labels');
  if (typeof labels === 'string') return labels;
  if (Object.keys(labels).length === 0) return 'at least one label pair required';
  const annotations = labelMap(p.annotations, 'annotations');
  if (typeof annotations === 'string') return annotations;
  let startsAt = parseTime(p.startsAt);
  let endsAt = parseTime(p.endsAt);
  if (typeof startsAt === 'string') return startsAt;
  if (typeof endsAt === 'string') return endsAt;
  let timeout = false;
  if (startsAt === 0) startsAt = endsAt === 0 ? now : endsAt;
  if (endsAt === 0) {
    timeout = true;
    endsAt = now + resolveTimeout;
  }
  if (endsAt < startsAt) return 'start time must be before end time';
  if (p.generatorURL !== undefined && typeof p.generatorURL !== 'string') return 'generatorURL must be a string';
  return { labels, annotations, startsAt, endsAt, generatorURL: p.generatorURL ?? '', updatedAt: now, timeout, fingerprint: fingerprint(labels) };
}

export type { LabelSet };
export { groupLabels };
