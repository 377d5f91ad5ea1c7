import { labelsKey, type Label, type Labels } from '@vigil/core';
import type { VectorMatching } from '../parser/ast.ts';
import { PromQLExecError } from '../errors.ts';
import { dropName } from './grouping.ts';
import type { VSample } from './value.ts';
import { IncompatibleSchemaError, type FloatHistogram } from '../histogram/float-histogram.ts';
import { histogramsEqual, COLLISION, RECONCILED } from '../functions/histogram-functions.ts';

/** Where binary operators report annotations: the text, and whether it is a warning. */
export type BinopAnnotate = (text: string, warning: boolean) => void;

/**
 * A binary operator where at least one side is a native histogram
 * (promql/engine.go `vectorElemBinop`): `h * f`, `f * h`, `h / f`, `h + h`,
 * `h - h`, `h == h`, `h != h`; anything else drops the sample with an info.
 */
export function histogramElemBinop(op: string, lv: number, rv: number, lh: FloatHistogram | undefined, rh: FloatHistogram | undefined, annotate: BinopAnnotate): { v: number; h?: FloatHistogram; keep: boolean; invalid?: boolean } {
  const incompatible = () => {
    annotate(`PromQL info: incompatible sample types encountered for binary operator ${JSON.stringify(op)}: ${lh ? 'histogram' : 'float'} ${op} ${rh ? 'histogram' : 'float'}`, false);
    return { v: 0, keep: false, invalid: true };
  };
  if (!lh && rh) {
    if (op === '*') return { v: 0, h: rh.mul(lv).compact(), keep: true };
    return incompatible();
  }
  if (lh && !rh) {
    if (op === '*') return { v: 0, h: lh.mul(rv).compact(), keep: true };
    if (op === '/') return { v: 0, h: lh.div(rv).compact(), keep: true };
    if (op === '</' || op === '>/') return { v: 0, h: lh.trim(rv, op === '</'), keep: true };
    return incompatible();
  }
  if (!lh && !rh && (op === '</' || op === '>/')) return incompatible();
  if (lh && rh) {
    switch (op) {
      case '+':
      case '-': {
        let r;
        try {
          r = op === '+' ? lh.add(rh) : lh.sub(rh);
        } catch (e) {
          if (e instanceof IncompatibleSchemaError) {
            annotate(`PromQL warning: incompatible bucket layout encountered for binary operator ${op}`, true);
            return { v: 0, keep: false, invalid: true };
          }
          throw e;
        }
        const opName = op === '+' ? 'addition' : 'subtraction';
        if (op === '-') r.h.counterResetHint = 'gauge';
        if (r.collision) annotate(COLLISION(opName), true);
        if (r.reconciled) annotate(RECONCILED(opName), false);
        return { v: 0, h: r.h.compact(), keep: true };
      }
      case '==':
        return { v: 0, h: lh, keep: histogramsEqual(lh, rh) };
      case '!=':
        return { v: 0, h: lh, keep: !histogramsEqual(lh, rh) };
    }
    return incompatible();
  }
  return { ...elemBinop(op, lv, rv) };
}

const DROPS_NAME = new Set(['+', '-', '*', '/', '%', '^', 'atan2']);
const COMPARISON = new Set(['==', '!=', '>', '<', '>=', '<=']);

export function isComparison(op: string): boolean {
  return COMPARISON.has(op);
}

/** Applies a binary operator to two floats: the value and whether a comparison holds. */
export function elemBinop(op: string, l: number, r: number): { v: number; keep: boolean } {
  switch (op) {
    case '+':
      return { v: l + r, keep: true };
    case '-':
      return { v: l - r, keep: true };
    case '*':
      return { v: l * r, keep: true };
    case '/':
      return { v: l / r, keep: true };
    case '%':
      return { v: l % r, keep: true };
    case '^':
      return { v: Math.pow(l, r), keep: true };
    case 'atan2':
      return { v: Math.atan2(l, r), keep: true };
    case '==':
      return { v: l, keep: l === r };
    case '!=':
      return { v: l, keep: l !== r };
    case '>':
      return { v: l, keep: l > r };
    case '<':
      return { v: l, keep: l < r };
    case '>=':
      return { v: l, keep: l >= r };
    case '<=':
      return { v: l, keep: l <= r };
  }
  throw new PromQLExecError(`operator "${op}" not allowed for float operations`);
}

export function scalarBinop(op: string, l: number, r: number, returnBool: boolean): number {
  const { v, keep } = elemBinop(op, l, r);
  if (COMPARISON.has(op)) return returnBool ? (keep ? 1 : 0) : v;
  return v;
}

/** Vector-scalar arithmetic and comparisons (`x * 2`, `2 < x`). */
export function vectorScalarBinop(op: string, vec: VSample[], scalar: number, scalarOnLeft: boolean, returnBool: boolean, annotate?: BinopAnnotate): VSample[] {
  const out: VSample[] = [];
  const drop = DROPS_NAME.has(op) || returnBool;
  for (const s of vec) {
    if (s.h || op === '</' || op === '>/') {
      const r = scalarOnLeft ? histogramElemBinop(op, scalar, s.v, undefined, s.h, annotate ?? (() => {})) : histogramElemBinop(op, s.v, scalar, s.h, undefined, annotate ?? (() => {}));
      if (r.invalid) continue;
      if (returnBool && isComparison(op)) {
        out.push({ metric: s.metric, v: r.keep ? 1 : 0, drop: true });
        continue;
      }
      if (!r.keep) continue;
      out.push(r.h ? { metric: s.metric, v: 0, h: r.h, drop: drop || s.drop } : { metric: s.metric, v: r.v, drop: drop || s.drop });
      continue;
    }
    const l = scalarOnLeft ? scalar : s.v;
    const r = scalarOnLeft ? s.v : scalar;
    let { v, keep } = elemBinop(op, l, r);
    if (COMPARISON.has(op)) {
      if (scalarOnLeft) v = s.v;
      if (returnBool) {
        v = keep ? 1 : 0;
        keep = true;
      }
    }
    if (!keep) continue;
    out.push({ metric: s.metric, v, drop: drop || s.drop });
  }
  return out;
}

function signature(metric: Labels, m: VectorMatching | undefined): string {
  if (!m) return labelsKey(dropName(metric));
  if (m.on) return labelsKey(metric.filter((l) => m.labels.includes(l.name)));
  return labelsKey(metric.filter((l) => l.name !== '__name__' && !m.labels.includes(l.name)));
}

function signatureLabels(metric: Labels, m: VectorMatching | undefined): Labels {
  if (!m) return dropName(metric);
  if (m.on) return metric.filter((l) => m.labels.includes(l.name));
  return metric.filter((l) => l.name !== '__name__' && !m.labels.includes(l.name));
}

/** `and`, `or`, `unless` between two vectors. */
export function setBinop(op: string, lhs: VSample[], rhs: VSample[], m: VectorMatching | undefined): VSample[] {
  const rsigs = new Set(rhs.map((s) => signature(s.metric, m)));
  switch (op) {
    case 'and':
      return lhs.filter((s) => rsigs.has(signature(s.metric, m)));
    case 'unless':
      return lhs.filter((s) => !rsigs.has(signature(s.metric, m)));
    case 'or': {
      const lsigs = new Set(lhs.map((s) => signature(s.metric, m)));
      return [...lhs, ...rhs.filter((s) => !lsigs.has(signature(s.metric, m)))];
    }
  }
  throw new PromQLExecError(`unknown set operator ${op}`);
}

function resultMetric(many: Labels, one: Labels, op: string, m: VectorMatching | undefined, returnBool: boolean): Labels {
  // The name stays for now; delayed name removal drops it when the result is returned.
  let out: Label[] = [...many];
  const card = m?.card ?? 'one-to-one';
  if (card === 'one-to-one') {
    if (m?.on) out = out.filter((l) => m.labels.includes(l.name));
    else if (m) out = out.filter((l) => !m.labels.includes(l.name));
  }
  if (m && m.include.length) {
    for (const name of m.include) {
      out = out.filter((l) => l.name !== name);
      const v = one.find((l) => l.name === name)?.value;
      if (v) out.push({ name, value: v });
    }
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return out;
}

/** Arithmetic and comparison between two vectors with Prometheus's matching rules and errors. */
export function vectorBinop(op: string, lhs: VSample[], rhs: VSample[], m: VectorMatching | undefined, returnBool: boolean, annotate?: BinopAnnotate): VSample[] {
  const card = m?.card ?? 'one-to-one';
  const swap = card === 'one-to-many';
  const manySide = swap ? rhs : lhs;
  const oneSide = swap ? lhs : rhs;
  const oneBySig = new Map<string, VSample>();
  for (const s of oneSide) {
    const sig = signature(s.metric, m);
    const dup = oneBySig.get(sig);
    if (dup) {
      throw new PromQLExecError(
        `found duplicate series for the match group ${promLabels(signatureLabels(s.metric, m))} on the ${swap ? 'left' : 'right'} hand-side of the operation: [${promLabels(dup.metric)}, ${promLabels(s.metric)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    oneBySig.set(sig, s);
  }
  const out: VSample[] = [];
  const seenOneToOne = new Map<string, VSample>();
  const seenResult = new Set<string>();
  // Fill modifiers: fill_left stands in for a missing sample on the matching's
  // "many" side (the left operand, or the right one under group_right),
  // fill_right for the "one" side. A filled sample carries the match group's labels.
  const fillMany = m?.fillLeft;
  const fillOne = m?.fillRight;
  const matchedSigs = new Set<string>();
  const emit = (ls: VSample, rs: VSample): void => {
    const fl = swap ? rs.v : ls.v;
    const fr = swap ? ls.v : rs.v;
    const hl = swap ? rs.h : ls.h;
    const hr = swap ? ls.h : rs.h;
    let { v, keep, h, invalid } = hl || hr || op === '</' || op === '>/' ? histogramElemBinop(op, fl, fr, hl, hr, annotate ?? (() => {})) : { ...elemBinop(op, fl, fr), h: undefined, invalid: false };
    if (invalid) return;
    if (returnBool) {
      v = keep ? 1 : 0;
      keep = true;
      h = undefined;
    }
    if (!keep) return;
    const metric = resultMetric(ls.metric, rs.metric, op, m, returnBool);
    const key = labelsKey(metric);
    if (card !== 'one-to-one') {
      if (seenResult.has(key)) throw new PromQLExecError('multiple matches for labels: grouping labels must ensure unique matches');
      seenResult.add(key);
    }
    out.push(h ? { metric, v, h, drop: DROPS_NAME.has(op) || returnBool || ls.drop } : { metric, v, drop: DROPS_NAME.has(op) || returnBool || ls.drop });
  };
  for (const ls of manySide) {
    const sig = signature(ls.metric, m);
    let rs = oneBySig.get(sig);
    if (!rs) {
      if (fillOne === undefined) continue;
      rs = { metric: signatureLabels(ls.metric, m), v: fillOne };
    } else matchedSigs.add(sig);
    if (card === 'one-to-one') {
      const prev = seenOneToOne.get(sig);
      if (prev) {
        throw new PromQLExecError(
          `found duplicate series for the match group ${promLabels(signatureLabels(ls.metric, m))} on the left hand-side of the operation: [${promLabels(prev.metric)}, ${promLabels(ls.metric)}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
      seenOneToOne.set(sig, ls);
    }
    emit(ls, rs);
  }
  if (fillMany !== undefined) {
    for (const [sig, rs] of oneBySig) {
      if (!matchedSigs.has(sig)) emit({ metric: signatureLabels(rs.metric, m), v: fillMany }, rs);
    }
  }
  return out;
}

/** Prometheus's `Labels.String()`: every label, `__name__` included, in braces. */
function promLabels(ls: Labels): string {
  return `{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}
