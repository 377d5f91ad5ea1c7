import { LabelsBuilder, labelsKey, type Labels } from '@vigil/core';
import type { Sample } from '../promql/index.ts';
import type { EvalContext, Rule, RuleHealth } from './types.ts';

/** A recording rule: writes the result of `expr` as series named `record`, with `labels` applied. */
export class RecordingRule implements Rule {
  readonly kind = 'recording' as const;
  health: RuleHealth = 'unknown';
  lastError = '';
  evaluationTime = 0;
  lastEvaluation = 0;

  constructor(
    readonly name: string,
    readonly expr: string,
    readonly labels: Labels,
  ) {}

  async eval(ts: number, ctx: EvalContext): Promise<Sample[]> {
    const vec = await ctx.query(this.expr, ts);
    const out: Sample[] = [];
    const seen = new Set<string>();
    for (const s of vec) {
      const b = new LabelsBuilder(s.metric).set('__name__', this.name);
      for (const l of this.labels) {
        if (l.value === '') b.del(l.name);
        else b.set(l.name, l.value);
      }
      const metric = b.labels();
      const k = labelsKey(metric);
      // Same check as Prometheus: two outputs may not collapse onto one series.
      if (seen.has(k)) throw new Error('vector contains metrics with the same labelset after applying rule labels');
      seen.add(k);
      out.push({ metric, t: s.t, v: s.v });
    }
    if (ctx.limit > 0 && out.length > ctx.limit) throw new Error(`exceeded limit of ${ctx.limit} with ${out.length} series`);
    return out;
  }
}
