import type { FastifyInstance } from 'fastify';
import { labelsToObject } from '@vigil/core';
import type { Alert, AlertingRule, Group, Rule } from '../../rules/index.ts';
import { formValue, formValues, sendData, sendError } from './respond.ts';

/** What the routes need from the rule manager. */
export interface RulesSource {
  groups(): Group[];
  alertingRules(): AlertingRule[];
}

/** Go's `time.Time` in RFC 3339 with nanoseconds as Prometheus's JSON prints it; 0 is Go's zero time. */
function goTime(ms: number): string {
  if (!ms) return '0001-01-01T00:00:00Z';
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z');
}

/** `strconv.FormatFloat(v, 'e', -1, 64)`, the alert value format of the API. */
function formatE(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
}

function alertJSON(a: Alert): Record<string, unknown> {
  const out: Record<string, unknown> = {
    labels: labelsToObject(a.labels),
    annotations: labelsToObject(a.annotations),
    state: a.state,
    activeAt: goTime(a.activeAt),
    value: formatE(a.value),
  };
  if (a.keepFiringSince) out.keepFiringSince = goTime(a.keepFiringSince);
  return out;
}

function ruleJSON(r: Rule, excludeAlerts: boolean): Record<string, unknown> {
  const common = { name: r.name, query: r.expr, labels: labelsToObject(r.labels), health: r.health, lastError: r.lastError || undefined, evaluationTime: r.evaluationTime, lastEvaluation: goTime(r.lastEvaluation) };
  if (r.kind === 'recording') return { ...common, type: 'recording' };
  const ar = r as AlertingRule;
  return {
    state: ar.state(),
    ...common,
    duration: ar.holdDuration / 1000,
    keepFiringFor: ar.keepFiringFor / 1000,
    annotations: labelsToObject(ar.annotations),
    alerts: excludeAlerts ? undefined : ar.activeAlerts().map(alertJSON),
    type: 'alerting',
  };
}

/**
 * Registers Prometheus's `GET|POST /api/v1/rules` (filters `type`,
 * `rule_name[]`, `rule_group[]` (also `group_name[]`), `file[]`,
 * `exclude_alerts`) and `/api/v1/alerts`.
 */
export function registerRulesRoutes(app: FastifyInstance, manager: RulesSource): void {
  const rules = (req: { query: unknown; body: unknown }, reply: Parameters<typeof sendData>[0]) => {
    const type = (formValue(req, 'type') ?? '').toLowerCase();
    if (type && type !== 'alert' && type !== 'record') return sendError(reply, 'bad_data', `invalid query parameter type='${type}'`);
    const names = new Set(formValues(req, 'rule_name[]'));
    const groups = new Set([...formValues(req, 'rule_group[]'), ...formValues(req, 'group_name[]')]);
    const files = new Set(formValues(req, 'file[]'));
    const excludeAlerts = formValue(req, 'exclude_alerts') === 'true';
    const filtered = names.size > 0 || groups.size > 0 || files.size > 0 || type !== '';
    const out = [];
    for (const g of manager.groups()) {
      if (groups.size && !groups.has(g.name)) continue;
      if (files.size && !files.has(g.file)) continue;
      const rs = g.rules.filter((r) => (!names.size || names.has(r.name)) && (type === '' || (type === 'alert') === (r.kind === 'alerting')));
      if (filtered && rs.length === 0) continue;
      out.push({
        name: g.name,
        file: g.file,
        rules: rs.map((r) => ruleJSON(r, excludeAlerts)),
        interval: g.interval / 1000,
        limit: g.limit,
        evaluationTime: g.evaluationTime,
        lastEvaluation: goTime(g.lastEvaluation),
      });
    }
    return sendData(reply, { groups: out });
  };
  app.get('/api/v1/rules', (req, reply) => rules(req, reply));
  app.post('/api/v1/rules', (req, reply) => rules(req, reply));
  app.get('/api/v1/alerts', (_req, reply) => sendData(reply, { alerts: manager.alertingRules().flatMap((r) => r.activeAlerts().map(alertJSON)) }));
}
