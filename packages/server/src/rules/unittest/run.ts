import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { compareLabels, labelsFromObject, type Labels } from '@vigil/core';
import { Engine } from '../../promql/index.ts';
import { expandValues, parseHistogramLiteral, parseMetric } from '../../promql/promqltest/series-line.ts';
import { histogramsMatch } from '../../promql/promqltest/compare.ts';
import type { FloatHistogram } from '../../promql/histogram/float-histogram.ts';
import { createMemoryStorage } from '../../testutil/index.ts';
import { AlertingRule } from '../alerting.ts';
import { buildGroups } from '../build.ts';
import { globRuleFiles } from '../glob.ts';
import type { Group } from '../group.ts';
import { loadRules } from '../load.ts';
import { engineQueryFunc } from '../query.ts';
import { parseTestFile } from './parse.ts';
import type { TestFile, TestGroup } from './types.ts';

/** Options of a unit-test run (promtool's flags). */
export interface RuleTestOptions {
  /** Only groups whose name matches one of these regexps (joined with `|`). */
  run?: string[];
  /** Accept unknown keys in rule files. */
  ignoreUnknownFields?: boolean;
}

/** Outcome of one test file: `errors` are printed as promtool prints them; empty means success. */
export interface RuleTestFileResult {
  file: string;
  errors: string[];
}

/** Runs one `promtool test rules` file. Never throws: every problem is a failure message. */
export async function runRuleTestFile(file: string, opts: RuleTestOptions = {}): Promise<RuleTestFileResult> {
  let tf: TestFile;
  try {
    tf = parseTestFile(await readFile(file, 'utf8'));
  } catch (err) {
    return { file, errors: [(err as Error).message] };
  }
  const ruleFiles: string[] = [];
  for (const rf of tf.rule_files) ruleFiles.push(...(await globRuleFiles(isAbsolute(rf) ? rf : join(dirname(file), rf))));
  const runRe = opts.run?.length ? new RegExp(opts.run.join('|')) : undefined;
  const errors: string[] = [];
  for (const tg of tf.tests) {
    if (runRe && !runRe.test(tg.name)) continue;
    errors.push(...(await runGroup(tf, tg, ruleFiles, opts)));
  }
  return { file, errors };
}

async function runGroup(tf: TestFile, tg: TestGroup, ruleFiles: string[], opts: RuleTestOptions): Promise<string[]> {
  const storage = createMemoryStorage();
  const engine = new Engine({ lookbackDelta: 5 * 60_000, maxSamples: 10_000, timeout: 100_000, defaultSubqueryStep: tf.evaluation_interval });
  const query = engineQueryFunc(engine, storage);
  // Input samples, in time order, appended lazily as evaluation reaches them.
  const input: Array<{ labels: Labels; t: number; v: number; h?: FloatHistogram }> = [];
  try {
    for (const s of tg.input_series) {
      const labels = parseMetric(s.series);
      expandValues(s.values).forEach((slot, k) => {
        if (slot.kind === 'empty') return;
        if (slot.kind === 'histogram') input.push({ labels, t: tg.start + k * tg.interval, v: 0, h: slot.h });
        else input.push({ labels, t: tg.start + k * tg.interval, v: slot.v });
      });
    }
  } catch (err) {
    return [`error parsing input series: ${(err as Error).message}`];
  }
  input.sort((a, b) => a.t - b.t);
  let groups: Group[] = [];
  try {
    for (const f of ruleFiles) {
      const rf = await loadRules(f, { ignoreUnknownFields: opts.ignoreUnknownFields });
      groups.push(...buildGroups(rf, { interval: tf.evaluation_interval, queryOffset: 0 }, { query, appendable: storage, externalLabels: labelsFromObject(tg.external_labels), externalURL: tg.external_url }));
    }
  } catch (err) {
    return [(err as Error).message];
  }
  if (tf.group_eval_order.length) {
    // Unlisted groups rank 0, like the first listed one (upstream's order for them is unspecified).
    const rank = (g: Group) => Math.max(tf.group_eval_order.indexOf(g.name), 0);
    groups = [...groups].sort((a, b) => rank(a) - rank(b));
  }
  for (const g of groups) for (const r of g.rules) if (r instanceof AlertingRule) r.restored = true;

  const mint = tg.start;
  const maxEval = Math.max(0, ...tg.alert_rule_test.map((a) => a.eval_time), ...tg.promql_expr_test.map((p) => p.eval_time));
  const maxt = mint + maxEval;
  const errs: string[] = [];
  let next = 0;
  for (let ts = mint; ts <= maxt; ts += tf.evaluation_interval) {
    if (next < input.length && input[next]!.t <= ts) {
      const app = storage.appender();
      while (next < input.length && input[next]!.t <= ts) {
        const s = input[next++]!;
        if (s.h) app.appendHistogram(0, s.labels, s.t, s.h);
        else app.append(0, s.labels, s.t, s.v);
      }
      await app.commit();
    }
    for (const g of groups) {
      await g.evalAt(ts);
      for (const r of g.rules) if (r.health === 'err') errs.push(`    rule: ${r.name}, time: ${fmtDur(ts - mint)}, err: ${r.lastError}`);
    }
    if (errs.length) return errs;
    for (const at of tg.alert_rule_test) {
      const rel = ts - mint;
      if (!(rel <= at.eval_time && at.eval_time < rel + tf.evaluation_interval)) continue;
      const e = checkAlerts(groups, at.alertname, at.exp_alerts);
      // promtool's layout: the group name (when set), then expected and got lists.
      const name = tg.named ? `    name: ${tg.name},\n` : '';
      if (e) errs.push(`${name}    alertname: ${at.alertname}, time: ${fmtDur(at.eval_time)}, \n${e}`);
    }
  }
  for (const pt of tg.promql_expr_test) {
    let got: Array<{ labels: Labels; v: number; h?: FloatHistogram; hintSet?: boolean }>;
    try {
      got = (await query(pt.expr, mint + pt.eval_time)).map((s) => ({ labels: s.metric, v: s.v, h: s.h }));
    } catch (err) {
      errs.push(`    expr: ${JSON.stringify(pt.expr)}, time: ${fmtDur(pt.eval_time)}, err: ${(err as Error).message}`);
      continue;
    }
    let exp: typeof got;
    try {
      exp = pt.exp_samples.map((s) => {
        const labels = s.labels.trim() === '' ? [] : parseMetric(s.labels);
        if (s.histogram === undefined) return { labels, v: s.value };
        const body = s.histogram.trim().replace(/^\{\{/, '').replace(/\}\}$/, '');
        const { h, hintSet } = parseHistogramLiteral(body);
        return { labels, v: 0, h, hintSet };
      });
    } catch (err) {
      errs.push(`    expr: ${JSON.stringify(pt.expr)}, time: ${fmtDur(pt.eval_time)}, err: ${(err as Error).message}`);
      continue;
    }
    got.sort((a, b) => compareLabels(a.labels, b.labels));
    exp.sort((a, b) => compareLabels(a.labels, b.labels));
    const sameValue = (g: (typeof got)[number], e: (typeof got)[number]) =>
      e.h ? g.h !== undefined && histogramsMatch(e.h, g.h, e.hintSet ?? false) === undefined : g.h === undefined && floatEq(g.v, e.v, tf.fuzzy_compare);
    const same = got.length === exp.length && got.every((g, i) => compareLabels(g.labels, exp[i]!.labels) === 0 && sameValue(g, exp[i]!));
    if (!same) {
      const fmt = (xs: typeof got) => xs.map((x) => `${goLabels(x.labels)} ${x.h ? x.h.toString() : formatE(x.v)}`).join(', ');
      errs.push(`    expr: ${JSON.stringify(pt.expr)}, time: ${fmtDur(pt.eval_time)},\n        exp: ${fmt(exp)}\n        got: ${fmt(got)}`);
    }
  }
  return errs;
}

/** Compares the firing alerts named `name` with the expectation; returns a message when they differ. */
function checkAlerts(groups: Group[], name: string, expected: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }>): string | undefined {
  const got: Array<{ labels: Labels; annotations: Labels }> = [];
  for (const g of groups) for (const r of g.rules) {
    if (!(r instanceof AlertingRule) || r.name !== name) continue;
    for (const a of r.active.values()) if (a.state === 'firing') got.push({ labels: a.labels, annotations: a.annotations });
  }
  const exp = expected.map((e) => ({ labels: labelsFromObject({ ...e.exp_labels, alertname: name }), annotations: labelsFromObject(e.exp_annotations) }));
  const order = (a: { labels: Labels; annotations: Labels }, b: { labels: Labels; annotations: Labels }) => compareLabels(a.labels, b.labels) || compareLabels(a.annotations, b.annotations);
  got.sort(order);
  exp.sort(order);
  if (got.length === exp.length && got.every((g, i) => order(g, exp[i]!) === 0)) return undefined;
  const fmt = (xs: typeof got) =>
    xs.length === 0 ? '[]' : '[\n' + xs.map((x, i) => `            ${i}:\n              Labels:${goLabels(x.labels)}\n              Annotations:${goLabels(x.annotations)}`).join(',\n') + '\n            ]';
  return `        exp:${fmt(exp)}, \n        got:${fmt(got)}`;
}

/** Go's `labels.Labels.String()`: `{a="b", c="d"}`. */
function goLabels(ls: Labels): string {
  return '{' + ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ') + '}';
}

/** `strconv.FormatFloat(v, 'E', -1, 64)`. */
function formatE(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toExponential().toUpperCase().replace(/E([+-])(\d)$/, 'E$10$2');
}

/** Exact float equality; with `fuzzy`, one ULP either way also passes. NaN never equals NaN. */
export function floatEq(a: number, b: number, fuzzy: boolean): boolean {
  if (a === b) return true;
  if (!fuzzy || !Number.isFinite(a) || !Number.isFinite(b)) return false;
  return nextUp(b) === a || nextDown(b) === a;
}

function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}

function nextDown(x: number): number {
  return -nextUp(-x);
}

function fmtDur(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let r = ms;
  for (const [u, n] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (r >= n) {
      parts.push(`${Math.floor(r / n)}${u}`);
      r %= n;
    }
  }
  if (r) parts.push(`${r}ms`);
  return parts.join('');
}
