import { parseDuration } from '@vigil/core';
import { parse as parseYaml } from 'yaml';
import type { AlertTestCase, PromqlTestCase, TestFile, TestGroup } from './types.ts';

type Obj = Record<string, unknown>;

function strict(o: Obj, keys: string[], type: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new Error(`yaml: unmarshal errors:\n  field ${k} not found in type ${type}`);
}

function dur(v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  return parseDuration(String(v));
}

function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v as Obj)) out[k] = x === null ? '' : String(x);
  return out;
}

function startTime(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return Math.round(v * 1000);
  const s = String(v).trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new Error(`start_timestamp: cannot parse ${JSON.stringify(s)}`);
  return t;
}

/** Parses a rule unit-test file strictly (unknown keys are errors, as upstream). */
export function parseTestFile(text: string): TestFile {
  // Failsafe schema: every scalar stays the string it was written as, as for
  // Go's string fields (`values: 0x10` is the series notation, not 16).
  const doc = (parseYaml(text, { schema: 'failsafe' }) ?? {}) as Obj;
  strict(doc, ['rule_files', 'evaluation_interval', 'group_eval_order', 'fuzzy_compare', 'tests'], 'main.unitTestFile');
  const evalInterval = dur(doc.evaluation_interval, 60_000);
  const order = (doc.group_eval_order as string[] | undefined) ?? [];
  if (new Set(order).size !== order.length) throw new Error('group name repeated in evaluation order');
  const tests = ((doc.tests as Obj[] | undefined) ?? []).map((t, i): TestGroup => {
    strict(t, ['name', 'interval', 'input_series', 'start_timestamp', 'alert_rule_test', 'promql_expr_test', 'external_labels', 'external_url'], 'main.testGroup');
    return {
      name: t.name === undefined ? `unnamed#${i}` : String(t.name),
      named: t.name !== undefined && t.name !== '',
      interval: dur(t.interval, evalInterval),
      input_series: ((t.input_series as Obj[] | undefined) ?? []).map((s) => {
        strict(s, ['series', 'values'], 'main.series');
        return { series: String(s.series ?? ''), values: String(s.values ?? '') };
      }),
      start: startTime(t.start_timestamp),
      alert_rule_test: ((t.alert_rule_test as Obj[] | undefined) ?? []).map((a): AlertTestCase => {
        strict(a, ['eval_time', 'alertname', 'exp_alerts'], 'main.alertTestCase');
        return {
          eval_time: dur(a.eval_time, 0),
          alertname: String(a.alertname ?? ''),
          exp_alerts: ((a.exp_alerts as Obj[] | undefined) ?? []).map((e) => {
            strict(e ?? {}, ['exp_labels', 'exp_annotations'], 'main.alert');
            return { exp_labels: strMap(e?.exp_labels), exp_annotations: strMap(e?.exp_annotations) };
          }),
        };
      }),
      promql_expr_test: ((t.promql_expr_test as Obj[] | undefined) ?? []).map((p): PromqlTestCase => {
        strict(p, ['expr', 'eval_time', 'exp_samples'], 'main.promqlTestCase');
        return {
          expr: String(p.expr ?? ''),
          eval_time: dur(p.eval_time, 0),
          exp_samples: ((p.exp_samples as Obj[] | undefined) ?? []).map((s) => {
            strict(s, ['labels', 'value', 'histogram'], 'main.sample');
            return { labels: String(s.labels ?? ''), value: s.value === undefined ? 0 : toNum(s.value), ...(s.histogram !== undefined ? { histogram: String(s.histogram) } : {}) };
          }),
        };
      }),
      external_labels: strMap(t.external_labels),
      external_url: t.external_url === undefined ? '' : String(t.external_url),
    };
  });
  return {
    rule_files: ((doc.rule_files as unknown[] | undefined) ?? []).map(String),
    evaluation_interval: evalInterval,
    group_eval_order: order,
    fuzzy_compare: doc.fuzzy_compare === true || doc.fuzzy_compare === 'true',
    tests,
  };
}

function toNum(v: unknown): number {
  if (typeof v === 'number') return v;
  const s = String(v).trim();
  if (/^[+-]?(inf|\.inf)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^(nan|\.nan)$/i.test(s)) return NaN;
  return Number(s);
}
