import { compareLabels, labelsString, type Labels } from '@vigil/core';
import { isStaleNaN } from '../../storage/index.ts';
import type { QueryValue } from '../types.ts';
import type { EvalCmd } from './script.ts';

const EPSILON = 1e-6;
const MIN_NORMAL = 2.2250738585072014e-308;

/** Float equality as the upstream runner checks it (FORMAT.md §6.4). */
export function almostEqual(a: number, b: number): boolean {
  if (isStaleNaN(a) || isStaleNaN(b)) return isStaleNaN(a) && isStaleNaN(b);
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const diff = Math.abs(a - b);
  const sum = Math.abs(a) + Math.abs(b);
  if (a === 0 || b === 0 || sum < MIN_NORMAL) return diff < EPSILON * MIN_NORMAL;
  return diff / Math.min(sum, Number.MAX_VALUE) < EPSILON;
}

function fmt(ls: Labels): string {
  return labelsString(ls);
}

/** Compares a query result with the expectations of an eval block; returns a problem or undefined. */
export function compareResult(cmd: EvalCmd, got: QueryValue, evalRange?: { start: number; step: number; end: number }): string | undefined {
  if (cmd.string !== undefined || got.type === 'string') {
    if (got.type !== 'string') return `expected string, got ${got.type}`;
    const want = cmd.string ?? '';
    return got.s === want ? undefined : `expected string ${JSON.stringify(want)}, got ${JSON.stringify(got.s)}`;
  }
  if (got.type === 'scalar') {
    if (cmd.scalar === undefined) return `unexpected scalar result ${got.v}`;
    return almostEqual(got.v, cmd.scalar) ? undefined : `expected scalar ${cmd.scalar}, got ${got.v}`;
  }
  if (cmd.scalar !== undefined) return `expected scalar ${cmd.scalar}, got ${got.type}`;
  if (got.type === 'matrix') {
    if (cmd.ordered) return 'expected ordered result, but got a matrix';
    const r = cmd.rangeVector ?? evalRange;
    if (!r && got.matrix.length === 0 && cmd.expected.length === 0) return undefined;
    if (!r) return 'got a matrix for an instant query without "expect range vector"';
    for (let i = 1; i < got.matrix.length; i++) {
      if (compareLabels(got.matrix[i - 1]!.metric, got.matrix[i]!.metric) >= 0) return 'matrix results should always be sorted by labels';
    }
    const want = new Map(cmd.expected.map((e) => [JSON.stringify(e.labels), e]));
    if (got.matrix.length !== cmd.expected.length) return `expected ${cmd.expected.length} series, got ${got.matrix.length}: ${got.matrix.map((s) => fmt(s.metric)).join(', ')}`;
    for (const s of got.matrix) {
      const e = want.get(JSON.stringify(s.metric));
      if (!e) return `unexpected series ${fmt(s.metric)}`;
      const pts: [number, number][] = [];
      e.slots.forEach((slot, k) => {
        if (slot.kind === 'float') pts.push([r.start + k * r.step, slot.v]);
      });
      if (e.slots.some((x) => x.kind === 'histogram')) return `histogram expectations are not supported for ${fmt(s.metric)}`;
      if (pts.some(([t]) => t > r.end)) return `expected values beyond the end for ${fmt(s.metric)}`;
      if (pts.length !== s.ts.length) return `expected ${pts.length} points for ${fmt(s.metric)}, got ${s.ts.length}: ${s.ts.map((t, i) => `${s.vs[i]}@${t}`).join(' ')}`;
      for (let i = 0; i < pts.length; i++) {
        if (pts[i]![0] !== s.ts[i] || !almostEqual(pts[i]![1], s.vs[i]!)) return `series ${fmt(s.metric)} point ${i}: expected ${pts[i]![1]}@${pts[i]![0]}, got ${s.vs[i]}@${s.ts[i]}`;
      }
    }
    return undefined;
  }
  // Instant vector.
  const want = new Map(cmd.expected.map((e) => [JSON.stringify(e.labels), e]));
  const seen = new Set<string>();
  for (let i = 0; i < got.vector.length; i++) {
    const s = got.vector[i]!;
    const key = JSON.stringify(s.metric);
    const e = want.get(key);
    if (!e) return `unexpected sample ${fmt(s.metric)} ${s.v}`;
    if (seen.has(key)) return `duplicate sample ${fmt(s.metric)}`;
    seen.add(key);
    const slot = e.slots[0]!;
    if (slot.kind !== 'float') return `expected ${slot.kind} for ${fmt(s.metric)}, got float`;
    if (!almostEqual(slot.v, s.v)) return `${fmt(s.metric)}: expected ${slot.v}, got ${s.v}`;
    if (cmd.ordered && e.pos !== i + 1) return `${fmt(s.metric)}: expected position ${e.pos}, got ${i + 1}`;
  }
  for (const e of cmd.expected) if (!seen.has(JSON.stringify(e.labels))) return `missing sample ${fmt(e.labels)}`;
  return undefined;
}
