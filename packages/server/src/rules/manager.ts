import { ConfigErrors, labelsFromObject, silentLogger, type Labels, type Logger } from '@vigil/core';
import type { Registry } from 'prom-client';
import type { QueryEngine } from '../promql/index.ts';
import type { Appendable, Queryable } from '../storage/index.ts';
import { AlertingRule } from './alerting.ts';
import { buildGroups } from './build.ts';
import { globRuleFiles } from './glob.ts';
import { Group, type GroupDeps } from './group.ts';
import { loadRules } from './load.ts';
import { RuleMetrics } from './metrics.ts';
import { engineQueryFunc } from './query.ts';
import { restoreForState } from './restore.ts';
import { evalTimestamp, groupOffset } from './schedule.ts';
import type { AlertSender } from './types.ts';

/** Timer functions, injectable so tests drive time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Dependencies and options of a {@link RuleManager}. Times in ms. */
export interface RuleManagerOptions {
  engine: QueryEngine;
  queryable: Queryable;
  appendable: Appendable;
  /** Receives firing and resolved alerts (the notifier). */
  sender?: AlertSender;
  logger?: Logger;
  registry?: Registry;
  /** Clock, ms since the epoch. */
  now?: () => number;
  timers?: Timers;
  /** `--web.external-url`. */
  externalURL?: string;
  /** Prometheus's `--rules.alert.resend-delay` (1m). */
  resendDelay?: number;
  /** `--rules.alert.for-outage-tolerance` (1h). */
  outageTolerance?: number;
  /** `--rules.alert.for-grace-period` (10m). */
  forGracePeriod?: number;
}

/** The parts of the main config the rule manager reads. */
export interface RulesConfig {
  global: { evaluation_interval: number; rule_query_offset?: number; external_labels: Record<string, string> };
  rule_files: string[];
}

interface Scheduled {
  group: Group;
  timer: unknown;
  running: Promise<void> | undefined;
  shouldRestore: boolean;
  next: number;
}

/**
 * Loads rule files into groups and evaluates each group on its own aligned
 * schedule, as Prometheus's `rules.Manager`. Reloads are atomic: every file
 * is parsed first, and one bad file keeps all the old rules.
 */
export class RuleManager {
  private scheduled = new Map<string, Scheduled>();
  private readonly metrics: RuleMetrics | undefined;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly timers: Timers;
  private running = false;
  private externalURL: string;

  constructor(private readonly opts: RuleManagerOptions) {
    this.metrics = opts.registry ? new RuleMetrics(opts.registry) : undefined;
    this.log = opts.logger ?? silentLogger();
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    this.externalURL = opts.externalURL ?? '';
  }

  /** Reloadable: applies `rule_files` and the global evaluation settings. @throws ConfigErrors and keeps the old rules. */
  async applyConfig(cfg: RulesConfig): Promise<void> {
    await this.update(cfg.global.evaluation_interval, cfg.rule_files, labelsFromObject(cfg.global.external_labels), this.externalURL, cfg.global.rule_query_offset ?? 0);
  }

  /**
   * Loads `files` (globs) and replaces the groups. Groups with the same file
   * and name keep their alert state; removed groups get stale markers.
   * @throws ConfigErrors when any file is invalid; the running groups stay.
   */
  async update(intervalMs: number, files: readonly string[], externalLabels: Labels, externalURL: string, queryOffset = 0): Promise<void> {
    this.externalURL = externalURL;
    const deps = this.groupDeps(externalLabels, externalURL);
    const next: Group[] = [];
    try {
      const errors = [];
      for (const pattern of files) {
        for (const f of await globRuleFiles(pattern)) {
          try {
            next.push(...buildGroups(await loadRules(f), { interval: intervalMs, queryOffset }, deps));
          } catch (err) {
            if (err instanceof ConfigErrors) errors.push(...err.errors);
            else throw err;
          }
        }
      }
      if (errors.length) throw new ConfigErrors(errors);
    } catch (err) {
      this.metrics?.reloadSuccess.set(0);
      this.log.error({ err }, 'loading rule files failed; keeping the old rules');
      throw err;
    }
    const old = this.scheduled;
    this.scheduled = new Map();
    for (const g of next) {
      const prev = old.get(g.key);
      if (prev) {
        // Let an in-flight evaluation finish before taking its state.
        await prev.running;
        this.timers.clearTimeout(prev.timer);
        g.copyState(prev.group);
        old.delete(g.key);
      }
      this.scheduled.set(g.key, { group: g, timer: undefined, running: undefined, shouldRestore: !prev, next: 0 });
      this.metrics?.groupInterval.set({ rule_group: g.key }, g.interval / 1000);
      this.metrics?.groupRules.set({ rule_group: g.key }, g.rules.length);
    }
    for (const s of old.values()) {
      this.timers.clearTimeout(s.timer);
      await s.running;
      await s.group.markStale(this.now()).catch((err) => this.log.warn({ err }, 'writing stale markers failed'));
      this.metrics?.groupInterval.remove({ rule_group: s.group.key });
      this.metrics?.groupRules.remove({ rule_group: s.group.key });
    }
    this.metrics?.reloadSuccess.set(1);
    this.metrics?.reloadTime.set(this.now() / 1000);
    if (this.running) for (const s of this.scheduled.values()) this.schedule(s);
  }

  private groupDeps(externalLabels: Labels, externalURL: string): GroupDeps {
    return {
      query: engineQueryFunc(this.opts.engine, this.opts.queryable),
      appendable: this.opts.appendable,
      externalLabels,
      externalURL,
      resendDelay: this.opts.resendDelay ?? 60_000,
      notify: this.opts.sender ? (alerts) => this.opts.sender!.send(alerts) : undefined,
      onTemplateError: (rule, err) => {
        this.metrics?.templateErrors.inc();
        this.log.warn({ rule, err: err.message }, 'expanding alert template failed');
      },
      onRuleEvaluated: (g, _r, failed, seconds) => {
        this.metrics?.evaluations.inc({ rule_group: g.key });
        if (failed) this.metrics?.failures.inc({ rule_group: g.key });
        this.metrics?.evalDuration.observe(seconds);
      },
    };
  }

  /** Starts evaluating every group on its schedule. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    for (const s of this.scheduled.values()) this.schedule(s);
  }

  /** Stops scheduling and waits for running evaluations. Idempotent. */
  async stop(): Promise<void> {
    this.running = false;
    for (const s of this.scheduled.values()) {
      this.timers.clearTimeout(s.timer);
      s.timer = undefined;
    }
    await Promise.all([...this.scheduled.values()].map((s) => s.running));
  }

  private schedule(s: Scheduled): void {
    const g = s.group;
    const offset = groupOffset(g.file, g.name, g.interval);
    s.next = evalTimestamp(this.now(), g.interval, offset) + g.interval;
    this.arm(s);
  }

  private arm(s: Scheduled): void {
    if (!this.running) return;
    s.timer = this.timers.setTimeout(() => void this.tick(s), Math.max(0, s.next - this.now()));
  }

  private async tick(s: Scheduled): Promise<void> {
    if (!this.running || this.scheduled.get(s.group.key) !== s) return;
    const ts = s.next;
    s.running = this.evaluate(s, ts);
    await s.running;
    s.running = undefined;
    // Skip the iterations we are too late for, as Prometheus does, and count them.
    const g = s.group;
    let next = ts + g.interval;
    const now = this.now();
    if (now >= next + g.interval) {
      const missed = Math.floor((now - next) / g.interval);
      this.metrics?.missed.inc({ rule_group: g.key }, missed);
      next += missed * g.interval;
    }
    s.next = next;
    this.arm(s);
  }

  private async evaluate(s: Scheduled, ts: number): Promise<void> {
    const g = s.group;
    try {
      await g.evalAt(ts);
      this.metrics?.groupLastDuration.set({ rule_group: g.key }, g.evaluationTime);
      if (s.shouldRestore) {
        s.shouldRestore = false;
        const outage = this.opts.outageTolerance ?? 3_600_000;
        if (g.interval <= outage) await restoreForState(g, this.opts.queryable, this.now(), { outageTolerance: outage, forGracePeriod: this.opts.forGracePeriod ?? 600_000 });
        else for (const r of g.rules) if (r instanceof AlertingRule) r.restored = true;
      }
    } catch (err) {
      this.log.error({ err, group: g.name, file: g.file }, 'rule group evaluation failed');
    }
  }

  /** Evaluates one group now at `ts`, including the start-up restore; for tests and `/api` tooling. */
  async evalGroup(key: string, ts: number): Promise<void> {
    const s = this.scheduled.get(key);
    if (!s) throw new Error(`no rule group ${key}`);
    await this.evaluate(s, ts);
  }

  /** The current groups, in file order. */
  groups(): Group[] {
    return [...this.scheduled.values()].map((s) => s.group);
  }

  /** All alerting rules of all groups. */
  alertingRules(): AlertingRule[] {
    return this.groups().flatMap((g) => g.rules.filter((r): r is AlertingRule => r instanceof AlertingRule));
  }
}
