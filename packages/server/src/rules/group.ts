import { labelsKey, type Labels } from '@vigil/core';
import { STALE_NAN, type Appendable } from '../storage/index.ts';
import { SelectCache, type Sample } from '../promql/index.ts';
import { AlertingRule } from './alerting.ts';
import type { EvalContext, NotifierAlert, QueryFunc, Rule } from './types.ts';

/** What a group needs besides its rules; shared by all groups of a manager. */
export interface GroupDeps {
  query: QueryFunc;
  appendable: Appendable;
  externalLabels: Labels;
  externalURL: string;
  /** Receives alerts due for sending after each evaluation. */
  notify?: (alerts: NotifierAlert[]) => void;
  /** Prometheus's resend delay, ms (default 1m). */
  resendDelay?: number;
  onTemplateError?: (rule: string, err: Error) => void;
  /** Called after each rule evaluation (metrics). */
  onRuleEvaluated?: (group: Group, rule: Rule, failed: boolean, seconds: number) => void;
}

/** Options of one group, from its rule file. Times in ms. */
export interface GroupOptions {
  name: string;
  file: string;
  interval: number;
  queryOffset: number;
  limit: number;
  rules: Rule[];
}

/**
 * A rule group: rules evaluated in order at one timestamp, their output
 * appended in one transaction per rule, and staleness markers written for
 * series a rule produced at the previous evaluation but not at this one.
 */
export class Group {
  readonly name: string;
  readonly file: string;
  readonly interval: number;
  readonly queryOffset: number;
  readonly limit: number;
  readonly rules: Rule[];
  /** Duration of the last evaluation, seconds. */
  evaluationTime = 0;
  /** Start of the last evaluation, ms; 0 before the first. */
  lastEvaluation = 0;
  private seriesInPreviousEval: Array<Map<string, Labels>>;

  constructor(
    opts: GroupOptions,
    private deps: GroupDeps,
  ) {
    this.name = opts.name;
    this.file = opts.file;
    this.interval = opts.interval;
    this.queryOffset = opts.queryOffset;
    this.limit = opts.limit;
    this.rules = opts.rules;
    this.seriesInPreviousEval = opts.rules.map(() => new Map());
  }

  /** Swaps the dependencies (a reload with new external labels keeps the group's state). */
  setDeps(deps: GroupDeps): void {
    this.deps = deps;
  }

  /** Key identifying the group across reloads: file and name, as Prometheus's `GroupKey`. */
  get key(): string {
    return `${this.file};${this.name}`;
  }

  /** Copies alert state and staleness bookkeeping from the group this one replaces on reload. */
  copyState(from: Group): void {
    this.evaluationTime = from.evaluationTime;
    this.lastEvaluation = from.lastEvaluation;
    const byName = new Map<string, number[]>();
    from.rules.forEach((r, i) => {
      const k = `${r.kind}:${r.name}:${r.expr}`;
      byName.set(k, [...(byName.get(k) ?? []), i]);
    });
    this.rules.forEach((r, i) => {
      const idx = byName.get(`${r.kind}:${r.name}:${r.expr}`)?.shift();
      if (idx === undefined) return;
      const old = from.rules[idx]!;
      this.seriesInPreviousEval[i] = from.seriesInPreviousEval[idx]!;
      r.health = old.health;
      r.lastError = old.lastError;
      r.evaluationTime = old.evaluationTime;
      r.lastEvaluation = old.lastEvaluation;
      if (r instanceof AlertingRule && old instanceof AlertingRule) {
        for (const [k, a] of old.active) r.active.set(k, a);
        r.restored = old.restored;
      }
    });
  }

  /**
   * Evaluates every rule at `ts` (ms; queries run at `ts - queryOffset`).
   * Rule failures are recorded on the rule, never thrown.
   */
  async evalAt(ts: number): Promise<void> {
    const start = performance.now();
    this.lastEvaluation = ts;
    const evalTs = ts - this.queryOffset;
    // Rules of the group read at one timestamp: equal selectors share one read,
    // dropped as soon as the group writes a series they could select.
    const cache = new SelectCache();
    const query = this.deps.query;
    const ctx: EvalContext = {
      query: (expr, t) => query(expr, t, t === evalTs ? cache : undefined),
      externalLabels: this.deps.externalLabels,
      externalURL: this.deps.externalURL,
      limit: this.limit,
    };
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!;
      const rstart = performance.now();
      let vec: Sample[];
      try {
        vec = await rule.eval(evalTs, { ...ctx, onTemplateError: (e) => this.deps.onTemplateError?.(rule.name, e) });
        rule.health = 'ok';
        rule.lastError = '';
      } catch (err) {
        rule.health = 'err';
        rule.lastError = (err as Error).message;
        rule.lastEvaluation = ts;
        rule.evaluationTime = (performance.now() - rstart) / 1000;
        this.deps.onRuleEvaluated?.(this, rule, true, rule.evaluationTime);
        continue;
      }
      if (rule instanceof AlertingRule && this.deps.notify) {
        const alerts = rule.alertsToSend(ts, this.deps.resendDelay ?? 60_000, this.interval, this.deps.externalURL);
        if (alerts.length) this.deps.notify(alerts);
      }
      const app = this.deps.appendable.appender();
      const returned = new Map<string, Labels>();
      try {
        for (const s of vec) {
          cache.written(s.metric);
          returned.set(labelsKey(s.metric), s.metric);
          try {
            app.append(0, s.metric, s.t, s.v);
          } catch {
            // Out-of-order or duplicate samples are dropped, as Prometheus only counts them.
          }
        }
        for (const [k, m] of this.seriesInPreviousEval[i]!) {
          if (returned.has(k)) continue;
          cache.written(m);
          try {
            app.append(0, m, evalTs, STALE_NAN);
          } catch {
            // A stale marker older than data already written is irrelevant.
          }
        }
        await app.commit();
      } catch (err) {
        await app.rollback().catch(() => undefined);
        rule.health = 'err';
        rule.lastError = `append: ${(err as Error).message}`;
      }
      this.seriesInPreviousEval[i] = returned;
      rule.lastEvaluation = ts;
      rule.evaluationTime = (performance.now() - rstart) / 1000;
      this.deps.onRuleEvaluated?.(this, rule, false, rule.evaluationTime);
    }
    this.evaluationTime = (performance.now() - start) / 1000;
  }

  /** Appends stale markers for everything this group wrote, when it is removed on reload. */
  async markStale(ts: number): Promise<void> {
    const app = this.deps.appendable.appender();
    for (const m of this.seriesInPreviousEval) for (const l of m.values()) {
      try {
        app.append(0, l, ts, STALE_NAN);
      } catch {
        // ignore rejected markers
      }
    }
    await app.commit();
  }
}
