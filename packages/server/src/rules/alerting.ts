import { LabelsBuilder, labelsFromObject, labelsKey, labelsToObject, type Labels } from '@vigil/core';
import type { Sample } from '../promql/index.ts';
import { AlertTemplateExpander } from './expand.ts';
import type { TemplateSample } from './template-funcs.ts';
import type { Alert, EvalContext, NotifierAlert, Rule, RuleHealth } from './types.ts';

/** How long a resolved alert is kept to be re-sent as resolved (Prometheus's `resolvedRetention`). */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

/**
 * An alerting rule with Prometheus's state machine: a new result is
 * `pending`, becomes `firing` once it has been active for `for`, stays
 * firing for `keep_firing_for` after it vanishes, then is `inactive`
 * (resolved) and kept 15 minutes so the resolution is sent.
 */
export class AlertingRule implements Rule {
  readonly kind = 'alerting' as const;
  health: RuleHealth = 'unknown';
  lastError = '';
  evaluationTime = 0;
  lastEvaluation = 0;
  /** Active alerts by label-set key. */
  readonly active = new Map<string, Alert>();
  /**
   * Whether `for` state has been restored; until then no ALERTS samples are
   * written (Prometheus's `restored`). Unit tests start restored.
   */
  restored = false;
  private readonly expander: AlertTemplateExpander;

  constructor(
    readonly name: string,
    readonly expr: string,
    /** `for`, ms. */
    readonly holdDuration: number,
    /** `keep_firing_for`, ms. */
    readonly keepFiringFor: number,
    readonly labels: Labels,
    readonly annotations: Labels,
  ) {
    this.expander = new AlertTemplateExpander(name);
  }

  async eval(ts: number, ctx: EvalContext): Promise<Sample[]> {
    const res = await ctx.query(this.expr, ts);
    const seen = new Map<string, Alert>();
    const query = async (e: string): Promise<TemplateSample[]> =>
      (await ctx.query(e, ts)).map((s) => ({ Labels: labelsToObject(s.metric), Value: s.v }));
    const externalLabels = labelsToObject(ctx.externalLabels);
    for (const s of res) {
      // $labels keeps __name__, as Prometheus passes the sample's full metric (`smpl.Metric.Map()`).
      const data = { labels: labelsToObject(s.metric), externalLabels, externalURL: ctx.externalURL, value: s.v };
      const expand = (text: string) => this.expander.expand(text, data, { query, onError: ctx.onTemplateError });
      const b = new LabelsBuilder(s.metric).del('__name__');
      for (const l of this.labels) {
        const v = await expand(l.value);
        if (v === '') b.del(l.name);
        else b.set(l.name, v);
      }
      b.set('alertname', this.name);
      const annotations: Record<string, string> = {};
      for (const a of this.annotations) annotations[a.name] = await expand(a.value);
      const labels = b.labels();
      const k = labelsKey(labels);
      if (seen.has(k)) throw new Error('vector contains metrics with the same labelset after applying alert labels');
      seen.set(k, {
        state: 'pending',
        labels,
        annotations: labelsFromObject(annotations),
        value: s.v,
        activeAt: ts,
        firedAt: 0,
        resolvedAt: 0,
        lastSentAt: 0,
        validUntil: 0,
        keepFiringSince: 0,
      });
    }
    for (const [k, a] of seen) {
      const cur = this.active.get(k);
      if (cur && cur.state !== 'inactive') {
        cur.value = a.value;
        cur.annotations = a.annotations;
        continue;
      }
      this.active.set(k, a);
    }
    const out: Sample[] = [];
    let numActive = 0;
    for (const [k, a] of this.active) {
      if (!seen.has(k)) {
        let keepFiring = false;
        if (a.state === 'firing' && this.keepFiringFor > 0) {
          if (a.keepFiringSince === 0) a.keepFiringSince = ts;
          if (ts - a.keepFiringSince < this.keepFiringFor) keepFiring = true;
        }
        if (a.state === 'pending' || (a.resolvedAt !== 0 && ts - a.resolvedAt > RESOLVED_RETENTION_MS)) this.active.delete(k);
        if (a.state !== 'inactive' && !keepFiring) {
          a.state = 'inactive';
          a.resolvedAt = ts;
        }
        if (!keepFiring) continue;
      } else {
        a.keepFiringSince = 0;
      }
      numActive++;
      if (a.state === 'pending' && ts - a.activeAt >= this.holdDuration) {
        a.state = 'firing';
        a.firedAt = ts;
      }
      if (this.restored) {
        out.push({ metric: alertsMetric(a), t: ts, v: 1 });
        out.push({ metric: new LabelsBuilder(a.labels).set('__name__', 'ALERTS_FOR_STATE').labels(), t: ts, v: Math.floor(a.activeAt / 1000) });
      }
    }
    if (ctx.limit > 0 && numActive > ctx.limit) {
      this.active.clear();
      throw new Error(`exceeded limit of ${ctx.limit} with ${numActive} alerts`);
    }
    return out;
  }

  /** Alerts in the pending or firing state (and kept-firing ones). */
  activeAlerts(): Alert[] {
    return [...this.active.values()].filter((a) => a.state !== 'inactive');
  }

  /** The highest state of any alert, for the rules API. */
  state(): 'inactive' | 'pending' | 'firing' {
    let s: 'inactive' | 'pending' | 'firing' = 'inactive';
    for (const a of this.active.values()) {
      if (a.state === 'firing') return 'firing';
      if (a.state === 'pending') s = 'pending';
    }
    return s;
  }

  /**
   * Alerts due for sending at `ts` (Prometheus's `sendAlerts`): firing ones
   * every `resendDelay`, resolved ones once after resolution. Marks them sent.
   */
  alertsToSend(ts: number, resendDelay: number, interval: number, externalURL: string): NotifierAlert[] {
    const out: NotifierAlert[] = [];
    const gen = externalURL.replace(/\/$/, '') + '/graph?g0.expr=' + queryEscape(this.expr) + '&g0.tab=1';
    for (const a of this.active.values()) {
      if (!needsSending(a, ts, resendDelay)) continue;
      a.lastSentAt = ts;
      // Allow for two missed evaluations or sends before the Alertmanager resolves it itself.
      a.validUntil = ts + 4 * Math.max(resendDelay, interval);
      out.push({ labels: a.labels, annotations: a.annotations, startsAt: a.firedAt, endsAt: a.resolvedAt !== 0 ? a.resolvedAt : a.validUntil, generatorURL: gen });
    }
    return out;
  }
}

function needsSending(a: Alert, ts: number, resendDelay: number): boolean {
  if (a.state === 'pending') return false;
  if (a.resolvedAt > a.lastSentAt) return true;
  return a.lastSentAt + resendDelay < ts;
}

/** The `ALERTS{alertname, alertstate, …}` series of an alert. */
export function alertsMetric(a: Alert): Labels {
  return new LabelsBuilder(a.labels).set('__name__', 'ALERTS').set('alertstate', a.state).labels();
}

/** Go's `url.QueryEscape`. */
function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}
