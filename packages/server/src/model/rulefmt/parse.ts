import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { ConfigError, ConfigErrors, isLegacyMetricName, labelsFromObject, parseDuration } from '@vigil/core';
import type { Position, RuleDesc, RuleFile, RuleGroupDesc } from './types.ts';

/**
 * Checks a PromQL expression; throws with a message when it does not parse.
 * Passed in so `model/` does not import the query engine.
 */
export type ExprChecker = (expr: string) => void;

/** Checks a Go template (annotation or label value); throws when it does not parse. */
export type TemplateChecker = (name: string, text: string) => void;

/** Options of {@link parseRuleFile}. */
export interface ParseOptions {
  /** Syntax check for `expr`; without it expressions are only checked to be non-empty. */
  checkExpr?: ExprChecker;
  /** Syntax check for label and annotation templates. */
  checkTemplate?: TemplateChecker;
  /** Accept unknown keys, as promtool's `--ignore-unknown-fields`. */
  ignoreUnknownFields?: boolean;
}

const GROUP_KEYS = new Set(['name', 'interval', 'query_offset', 'limit', 'labels', 'rules']);
const RULE_KEYS = new Set(['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Reads and parses a rule file. @throws ConfigErrors listing every problem. */
export async function loadRuleFile(file: string, opts: ParseOptions = {}): Promise<RuleFile> {
  return parseRuleFile(file, await readFile(file, 'utf8'), opts);
}

/**
 * Parses and validates a Prometheus rule file, reporting every problem with
 * the `file:line:col` of the YAML node it concerns, the way
 * `model/rulefmt` reports them (`group "g", rule 2, "Name": …`).
 * @throws ConfigErrors when the file is not valid.
 */
export function parseRuleFile(file: string, text: string, opts: ParseOptions = {}): RuleFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const errs: ConfigError[] = [];
  const pos = (n: Node | null | undefined): Position => {
    const p = lc.linePos(n?.range?.[0] ?? 0);
    return { line: p.line, col: p.col };
  };
  const fail = (n: Node | null | undefined, where: string, msg: string): void => {
    const p = pos(n);
    errs.push(new ConfigError(file, p.line, p.col, where, msg));
  };
  for (const e of doc.errors) {
    const p = lc.linePos(e.pos[0]);
    errs.push(new ConfigError(file, p.line, p.col, '', `yaml: ${e.message.split('\n')[0]}`));
  }
  if (errs.length) throw new ConfigErrors(errs);

  const groups: RuleGroupDesc[] = [];
  const root = doc.contents;
  if (root == null || (isScalar(root) && root.value == null)) return { file, groups };
  if (!isMap(root)) {
    fail(root, '', 'rule file must be a mapping with a "groups" key');
    throw new ConfigErrors(errs);
  }
  for (const pair of root.items) {
    const k = keyOf(pair);
    if (k !== 'groups' && !opts.ignoreUnknownFields) fail(pair.key as Node, '', `field ${k} not found in type rulefmt.RuleGroups`);
  }
  const groupsNode = root.get('groups', true) as Node | undefined;
  if (groupsNode != null && !(isScalar(groupsNode) && groupsNode.value == null)) {
    if (!isSeq(groupsNode)) fail(groupsNode, 'groups', 'must be a list of rule groups');
    else {
      const seen = new Set<string>();
      for (const g of groupsNode.items) {
        const group = parseGroup(g as Node, fail, opts, seen);
        if (group) groups.push(group);
      }
    }
  }
  if (errs.length) throw new ConfigErrors(errs);
  return { file, groups };

  function parseGroup(node: Node, fail: (n: Node | null | undefined, where: string, msg: string) => void, opts: ParseOptions, seen: Set<string>): RuleGroupDesc | undefined {
    if (!isMap(node)) {
      fail(node, 'groups', 'a rule group must be a mapping');
      return undefined;
    }
    const nameNode = node.get('name', true) as Node | undefined;
    const name = scalarString(nameNode) ?? '';
    const where = `group ${JSON.stringify(name)}`;
    strictKeys(node, GROUP_KEYS, 'rulefmt.RuleGroup', where);
    if (!name) fail(nameNode ?? node, '', 'Groupname must not be empty');
    else if (seen.has(name)) fail(nameNode, '', `groupname: ${JSON.stringify(name)} is repeated in the same file`);
    seen.add(name);
    const interval = durationField(node, 'interval', where);
    const query_offset = durationField(node, 'query_offset', where);
    let limit = 0;
    const limitNode = node.get('limit', true) as Node | undefined;
    if (limitNode != null) {
      const v = isScalar(limitNode) ? limitNode.value : undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(limitNode, where, 'limit must be a non-negative integer');
      else limit = v;
    }
    const labels = stringMap(node, 'labels', where, 'label');
    const rules: RuleDesc[] = [];
    const rulesNode = node.get('rules', true) as Node | undefined;
    if (rulesNode != null && !(isScalar(rulesNode) && rulesNode.value == null)) {
      if (!isSeq(rulesNode)) fail(rulesNode, where, 'rules must be a list');
      else rulesNode.items.forEach((r, i) => {
        const rule = parseRule(r as Node, name, i + 1);
        if (rule) rules.push(rule);
      });
    }
    return { name, interval, query_offset, limit, labels: labelsFromObject(labels), rules, pos: pos(node) };
  }

  function parseRule(node: Node, group: string, idx: number): RuleDesc | undefined {
    if (!isMap(node)) {
      fail(node, `group ${JSON.stringify(group)}, rule ${idx}`, 'a rule must be a mapping');
      return undefined;
    }
    const recordNode = node.get('record', true) as Node | undefined;
    const alertNode = node.get('alert', true) as Node | undefined;
    const exprNode = node.get('expr', true) as Node | undefined;
    const record = scalarString(recordNode);
    const alert = scalarString(alertNode);
    const where = `group ${JSON.stringify(group)}, rule ${idx}, ${JSON.stringify(record ?? alert ?? '')}`;
    strictKeys(node, RULE_KEYS, 'rulefmt.RuleNode', where);
    const expr = scalarString(exprNode) ?? '';
    const n0 = errs.length;
    if (record && alert) fail(recordNode, where, 'only one of \'record\' and \'alert\' must be set');
    else if (!record && !alert) fail(node, where, "one of 'record' or 'alert' must be set");
    if (!expr) fail(exprNode ?? node, where, "field 'expr' must be set in rule");
    else if (opts.checkExpr) {
      try {
        opts.checkExpr(expr);
      } catch (err) {
        fail(exprNode, where, `could not parse expression: ${(err as Error).message}`);
      }
    }
    if (record) {
      if (node.has('annotations')) fail(node.get('annotations', true) as Node, where, "invalid field 'annotations' in recording rule");
      if (node.has('for')) fail(node.get('for', true) as Node, where, "invalid field 'for' in recording rule");
      if (node.has('keep_firing_for')) fail(node.get('keep_firing_for', true) as Node, where, "invalid field 'keep_firing_for' in recording rule");
      if (!isLegacyMetricName(record)) fail(recordNode, where, `invalid recording rule name: ${record}`);
    }
    const forMs = durationField(node, 'for', where) ?? 0;
    const kff = durationField(node, 'keep_firing_for', where) ?? 0;
    const labels = stringMap(node, 'labels', where, 'label');
    const annotations = stringMap(node, 'annotations', where, 'annotation');
    if (labels.__name__ !== undefined && alert) fail(node.get('labels', true) as Node, where, 'invalid label name: __name__');
    if (alert && opts.checkTemplate) {
      for (const [kind, m] of [['label', labels], ['annotation', annotations]] as const) {
        for (const [k, v] of Object.entries(m)) {
          try {
            opts.checkTemplate(`__alert_${alert}`, v);
          } catch (err) {
            const mapNode = node.get(kind === 'label' ? 'labels' : 'annotations', true) as YAMLMap | undefined;
            fail((mapNode?.get(k, true) as Node | undefined) ?? node, where, `${kind} ${JSON.stringify(k)}: ${(err as Error).message}`);
          }
        }
      }
    }
    if (errs.length > n0) return undefined;
    return {
      ...(record ? { record } : { alert: alert! }),
      expr,
      for: forMs,
      keep_firing_for: kff,
      labels: labelsFromObject(labels),
      annotations: labelsFromObject(annotations),
      pos: pos(node),
    };
  }

  function strictKeys(node: YAMLMap, keys: Set<string>, type: string, where: string): void {
    if (opts.ignoreUnknownFields) return;
    for (const p of node.items) {
      const k = keyOf(p);
      if (!keys.has(k)) fail(p.key as Node, where, `field ${k} not found in type ${type}`);
    }
  }

  function durationField(node: YAMLMap, key: string, where: string): number | undefined {
    const n = node.get(key, true) as Node | undefined;
    if (n == null) return undefined;
    const s = scalarString(n);
    if (s === undefined) {
      fail(n, where, `${key}: not a valid duration string`);
      return undefined;
    }
    try {
      return parseDuration(s);
    } catch {
      fail(n, where, `not a valid duration string: ${JSON.stringify(s)}`);
      return undefined;
    }
  }

  function stringMap(node: YAMLMap, key: string, where: string, what: string): Record<string, string> {
    const n = node.get(key, true) as Node | undefined;
    const out: Record<string, string> = {};
    if (n == null || (isScalar(n) && n.value == null)) return out;
    if (!isMap(n)) {
      fail(n, where, `${key} must be a mapping`);
      return out;
    }
    for (const p of n.items) {
      const k = keyOf(p);
      if (!LABEL_NAME.test(k)) fail(p.key as Node, where, `invalid ${what} name: ${k}`);
      const v = p.value as Node | null;
      if (v != null && !isScalar(v)) {
        fail(v, where, `${what} ${k}: value must be a string`);
        continue;
      }
      out[k] = v == null || v.value == null ? '' : String(v.value);
    }
    return out;
  }
}

function keyOf(p: Pair): string {
  return isScalar(p.key) ? String(p.key.value) : String(p.key);
}

function scalarString(n: Node | null | undefined): string | undefined {
  if (n == null || !isScalar(n) || n.value == null) return undefined;
  return String(n.value);
}
