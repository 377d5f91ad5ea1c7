import type { Labels } from '@vigil/core';
import type { Sample, SelectCache } from '../promql/index.ts';

/** Health of a rule after its last evaluation, as Prometheus reports it. */
export type RuleHealth = 'unknown' | 'ok' | 'err';

/** Alert states; `inactive` alerts are resolved ones kept for re-sending. */
export type AlertState = 'inactive' | 'pending' | 'firing';

/** One alert of an alerting rule. Times are ms since the epoch; 0 means "not set". */
export interface Alert {
  state: AlertState;
  labels: Labels;
  annotations: Labels;
  /** The value of the sample that produced the alert at the last evaluation. */
  value: number;
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  lastSentAt: number;
  validUntil: number;
  keepFiringSince: number;
}

/**
 * Runs an instant query for a rule; the scalar result becomes one sample
 * without labels. A group passes one {@link SelectCache} per evaluation.
 */
export type QueryFunc = (expr: string, ts: number, cache?: SelectCache) => Promise<Sample[]>;

/** What a rule needs to evaluate. */
export interface EvalContext {
  query: QueryFunc;
  externalLabels: Labels;
  externalURL: string;
  /** Max series (recording) or alerts (alerting); 0 means no limit. */
  limit: number;
  /** Reports template expansion problems (they never fail the rule). */
  onTemplateError?: (err: Error) => void;
}

/** A rule of a group: recording or alerting, after Prometheus's `rules.Rule`. */
export interface Rule {
  readonly kind: 'recording' | 'alerting';
  readonly name: string;
  readonly expr: string;
  readonly labels: Labels;
  health: RuleHealth;
  lastError: string;
  /** Duration of the last evaluation, seconds. */
  evaluationTime: number;
  /** Start of the last evaluation, ms; 0 before the first. */
  lastEvaluation: number;
  /** Evaluates at `ts` (ms) and returns the samples to write. @throws on query errors and limit violations. */
  eval(ts: number, ctx: EvalContext): Promise<Sample[]>;
}

/** Receives alerts that need sending (rules → notifier). Must not block; called after each group evaluation. */
export interface AlertSender {
  send(alerts: readonly NotifierAlert[]): void;
}

/** An alert as sent to Alertmanagers (API v2 `postableAlert` fields). Times are ms; 0 = unset. */
export interface NotifierAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  endsAt: number;
  generatorURL: string;
}
