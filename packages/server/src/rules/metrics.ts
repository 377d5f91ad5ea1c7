import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Rule-manager self-metrics (`vigil_rule_*`, the counterparts of
 * Prometheus's `prometheus_rule_*`), registered on the registry passed in.
 */
export class RuleMetrics {
  readonly evaluations: Counter<'rule_group'>;
  readonly failures: Counter<'rule_group'>;
  readonly evalDuration: Histogram;
  readonly groupLastDuration: Gauge<'rule_group'>;
  readonly groupInterval: Gauge<'rule_group'>;
  readonly groupRules: Gauge<'rule_group'>;
  readonly missed: Counter<'rule_group'>;
  readonly reloadSuccess: Gauge;
  readonly reloadTime: Gauge;
  readonly templateErrors: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    const lg = ['rule_group'] as const;
    this.evaluations = new Counter({ name: 'vigil_rule_evaluations_total', help: 'Rule evaluations.', labelNames: lg, registers });
    this.failures = new Counter({ name: 'vigil_rule_evaluation_failures_total', help: 'Rule evaluations that failed.', labelNames: lg, registers });
    this.evalDuration = new Histogram({ name: 'vigil_rule_evaluation_duration_seconds', help: 'Duration of single rule evaluations.', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers });
    this.groupLastDuration = new Gauge({ name: 'vigil_rule_group_last_duration_seconds', help: 'Duration of the last evaluation of each group.', labelNames: lg, registers });
    this.groupInterval = new Gauge({ name: 'vigil_rule_group_interval_seconds', help: 'Evaluation interval of each group.', labelNames: lg, registers });
    this.groupRules = new Gauge({ name: 'vigil_rule_group_rules', help: 'Rules in each group.', labelNames: lg, registers });
    this.missed = new Counter({ name: 'vigil_rule_group_iterations_missed_total', help: 'Group evaluations skipped because the previous one ran late.', labelNames: lg, registers });
    this.reloadSuccess = new Gauge({ name: 'vigil_rule_config_last_reload_successful', help: 'Whether the last rule reload succeeded (1) or kept the old rules (0).', registers });
    this.reloadTime = new Gauge({ name: 'vigil_rule_config_last_reload_success_timestamp_seconds', help: 'Time of the last successful rule reload.', registers });
    this.templateErrors = new Counter({ name: 'vigil_rule_template_errors_total', help: 'Label or annotation templates that failed to expand.', registers });
  }
}
