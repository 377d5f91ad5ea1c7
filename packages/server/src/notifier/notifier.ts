import { labelsFromObject, labelsToObject, LabelsBuilder, silentLogger, type Labels, type Logger } from '@vigil/core';
import type { Registry } from 'prom-client';
import type { AlertSender, NotifierAlert } from '../rules/index.ts';
import { compileRelabel, relabel, type CompiledRelabel } from '../model/relabel/index.ts';
import type { RelabelConfig } from '../config/index.ts';
import { NotifierMetrics } from './metrics.ts';
import type { AlertmanagerTarget, LocalAlertReceiver, PostableAlertJSON } from './types.ts';

/** The `alerting.alertmanagers` fields the notifier uses (static targets only). Times in ms. */
export interface AlertmanagersConfig {
  static_configs: Array<{ targets: string[] }>;
  scheme: 'http' | 'https';
  path_prefix: string;
  timeout: number;
  api_version: 'v1' | 'v2';
  bearer_token?: string;
  basic_auth?: { username?: string; password?: string };
  /** Relabelling applied only to the alerts sent to this Alertmanager. */
  alert_relabel_configs?: readonly RelabelConfig[];
}

/** Options of a {@link Notifier}. */
export interface NotifierOptions {
  logger?: Logger;
  registry?: Registry;
  /** Max alerts queued; the oldest are dropped beyond it (Prometheus: 10000). */
  queueCapacity?: number;
  /** Max alerts per POST (Prometheus: 256). */
  maxBatchSize?: number;
  /** The in-process router, if any; gets every batch too. */
  local?: LocalAlertReceiver;
}

/** Builds the v2 endpoints of `alerting.alertmanagers`. */
export function alertmanagerTargets(cfgs: readonly AlertmanagersConfig[]): AlertmanagerTarget[] {
  const out: AlertmanagerTarget[] = [];
  for (const c of cfgs) {
    if (c.api_version === 'v1') throw new Error('alertmanager api_version v1 is not supported (removed in Prometheus 2.x); use v2');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (c.bearer_token) headers.authorization = `Bearer ${c.bearer_token}`;
    else if (c.basic_auth?.username !== undefined) headers.authorization = 'Basic ' + Buffer.from(`${c.basic_auth.username}:${c.basic_auth.password ?? ''}`).toString('base64');
    const prefix = ('/' + (c.path_prefix ?? '').replace(/^\/+|\/+$/g, '')).replace(/^\/$/, '');
    const rl = c.alert_relabel_configs?.length ? compileRelabel(c.alert_relabel_configs) : undefined;
    for (const sc of c.static_configs) for (const t of sc.targets) out.push({ url: `${c.scheme ?? 'http'}://${t}${prefix}/api/v2/alerts`, timeout: c.timeout ?? 10_000, headers, ...(rl ? { relabel: rl } : {}) });
  }
  return out;
}

/** Go's RFC 3339 with nanoseconds (trailing zeros dropped), as Prometheus marshals `time.Time`. */
function rfc3339(ms: number): string | undefined {
  return ms ? new Date(ms).toISOString().replace(/\.000Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z') : undefined;
}

/** Removes credentials from a URL before it is logged or used as a metric label. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//<redacted>@');
}

/**
 * Queues alerts from the rule manager and posts them in batches to every
 * configured Alertmanager (API v2) and to the in-process router, as
 * Prometheus's `notifier.Manager`: external labels are added where the
 * alert lacks them, a full queue drops the oldest alerts, and a failed
 * Alertmanager does not hold up the others. The resend cadence (1m) lives
 * in the rule manager, which calls {@link send} again for firing alerts.
 */
export class Notifier implements AlertSender {
  private queue: PostableAlertJSON[] = [];
  private targets: AlertmanagerTarget[] = [];
  private externalLabels: Labels = [];
  private relabel: CompiledRelabel[] = [];
  private flushing: Promise<void> | undefined;
  private stopped = false;
  private readonly log: Logger;
  private readonly metrics: NotifierMetrics | undefined;
  private readonly capacity: number;
  private readonly batch: number;

  constructor(private readonly opts: NotifierOptions = {}) {
    this.log = opts.logger ?? silentLogger();
    this.metrics = opts.registry ? new NotifierMetrics(opts.registry) : undefined;
    this.capacity = opts.queueCapacity ?? 10_000;
    this.batch = opts.maxBatchSize ?? 256;
  }

  /** Reloadable: the Alertmanagers and external labels. @throws on an unsupported api_version, keeping the old targets. */
  async applyConfig(cfg: {
    global: { external_labels: Record<string, string> };
    alerting: { alertmanagers: readonly AlertmanagersConfig[]; alert_relabel_configs?: readonly RelabelConfig[] };
  }): Promise<void> {
    const targets = alertmanagerTargets(cfg.alerting.alertmanagers);
    this.relabel = compileRelabel(cfg.alerting.alert_relabel_configs ?? []);
    this.targets = targets;
    this.externalLabels = Object.entries(cfg.global.external_labels).map(([name, value]) => ({ name, value }));
    this.metrics?.alertmanagers.set(targets.length);
  }

  /** URLs of the Alertmanagers alerts are posted to, credentials removed (`/api/v1/alertmanagers`). */
  alertmanagerURLs(): string[] {
    return this.targets.map((t) => redact(t.url));
  }

  /** Sets the targets directly (tests, or wiring without a config file). */
  setTargets(targets: AlertmanagerTarget[], externalLabels: Labels = []): void {
    this.targets = targets;
    this.externalLabels = externalLabels;
  }

  async start(): Promise<void> {
    this.stopped = false;
  }

  /** Stops accepting alerts and waits for the batch in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flushing;
  }

  /** Queues alerts; never blocks. Sending happens in the background. */
  send(alerts: readonly NotifierAlert[]): void {
    if (this.stopped) return;
    for (const a of alerts) {
      const b = new LabelsBuilder(a.labels);
      for (const l of this.externalLabels) if (b.get(l.name) === '') b.set(l.name, l.value);
      // External labels first, then alert_relabel_configs; an alert relabelled away is not sent.
      const ls = relabel(b.labels(), this.relabel);
      if (!ls || ls.length === 0) continue;
      const labels = labelsToObject(ls);
      this.queue.push({ labels, annotations: labelsToObject(a.annotations), startsAt: rfc3339(a.startsAt), endsAt: rfc3339(a.endsAt), generatorURL: a.generatorURL || undefined });
    }
    if (this.queue.length > this.capacity) {
      const n = this.queue.length - this.capacity;
      this.queue.splice(0, n);
      this.metrics?.dropped.inc(n);
      this.log.warn({ count: n }, 'alert notification queue full, dropping alerts');
    }
    this.metrics?.queueLength.set(this.queue.length);
    this.flushing ??= this.flush().finally(() => {
      this.flushing = undefined;
    });
  }

  /** Resolves when the queue is empty and nothing is in flight. */
  async drained(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    // Let alerts from the same evaluation join one batch.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.batch);
      this.metrics?.queueLength.set(this.queue.length);
      if (this.opts.local) {
        try {
          this.opts.local.put(batch);
        } catch (err) {
          this.log.error({ err }, 'handing alerts to the local router failed');
        }
      }
      const body = JSON.stringify(batch);
      const results = await Promise.all(
        this.targets.map((t) => {
          if (!t.relabel) return this.post(t, body, batch.length);
          const own = batch.flatMap((a) => {
            const ls = relabel(labelsFromObject(a.labels), t.relabel!);
            return ls && ls.length ? [{ ...a, labels: labelsToObject(ls) }] : [];
          });
          return own.length ? this.post(t, JSON.stringify(own), own.length) : Promise.resolve(true);
        }),
      );
      if (this.targets.length && results.every((ok) => !ok)) this.metrics?.dropped.inc(batch.length);
    }
  }

  private async post(t: AlertmanagerTarget, body: string, n: number): Promise<boolean> {
    const am = redact(t.url);
    try {
      const res = await fetch(t.url, { method: 'POST', headers: t.headers, body, signal: AbortSignal.timeout(t.timeout) });
      await res.arrayBuffer().catch(() => undefined);
      if (Math.floor(res.status / 100) !== 2) throw new Error(`bad response status ${res.status} ${res.statusText}`);
      this.metrics?.sent.inc({ alertmanager: am }, n);
      return true;
    } catch (err) {
      this.metrics?.errors.inc({ alertmanager: am }, n);
      this.log.error({ alertmanager: am, count: n, err: (err as Error).message }, 'error sending alerts');
      return false;
    }
  }
}
