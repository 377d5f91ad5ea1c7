import type { Labels } from '@vigil/core';

/** A 1-based position in a rule file. */
export interface Position {
  readonly line: number;
  readonly col: number;
}

/** One rule as written in a rule file, validated. Durations are milliseconds. */
export interface RuleDesc {
  /** Set for recording rules: the name of the output series. */
  readonly record?: string;
  /** Set for alerting rules: the alert name. */
  readonly alert?: string;
  readonly expr: string;
  /** `for`, ms; 0 when absent. */
  readonly for: number;
  /** `keep_firing_for`, ms; 0 when absent. */
  readonly keep_firing_for: number;
  readonly labels: Labels;
  readonly annotations: Labels;
  /** Where the rule starts, for messages. */
  readonly pos: Position;
}

/** One rule group, validated. */
export interface RuleGroupDesc {
  readonly name: string;
  /** Evaluation interval, ms; undefined means "the global evaluation_interval". */
  readonly interval?: number;
  /** `query_offset`, ms; undefined means "the global rule_query_offset". */
  readonly query_offset?: number;
  /** Max series (recording) or alerts (alerting) a rule may produce; 0 is no limit. */
  readonly limit: number;
  /** Labels added to every rule of the group (rule labels win). */
  readonly labels: Labels;
  readonly rules: readonly RuleDesc[];
  readonly pos: Position;
}

/** A parsed rule file. */
export interface RuleFile {
  readonly file: string;
  readonly groups: readonly RuleGroupDesc[];
}
