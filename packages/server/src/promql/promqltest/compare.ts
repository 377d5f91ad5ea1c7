import { compareLabels, labelsString, type Labels } from '@vigil/core';
import { isStaleNaN } from '../../storage/index.ts';
import type { QueryValue } from '../types.ts';
import type { EvalCmd } from './script.ts';
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import type { Slot } from './series-line.ts';

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

/** Histogram equality as the upstream runner checks it (FORMAT.md §6.4): compacted, counts within tolerance. */
export function histogramsMatch(want: FloatHistogram, got: FloatHistogram, checkHint: boolean): string | undefined {
  const a = want.compact();
  const b = got.compact();
  if (a.schema !== b.schema) return 'schema differs';
  if (!almostEqual(a.count, b.count)) return 'count differs';
  if (!almostEqual(a.sum, b.sum)) return 'sum differs';
  if (!almostEqual(a.zeroCount, b.zeroCount)) return 'zero count differs';
  if (a.zeroThreshold !== b.zeroThreshold) return 'zero threshold differs';
  if (a.usesCustomBuckets) {
    const x = a.customValues ?? [];
    const y = b.customValues ?? [];
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) return 'custom values differ';
  }
  for (const [ai, ac, bi, bc, side] of [
    [a.pIdx, a.pCnt, b.pIdx, b.pCnt, 'positive'],
    [a.nIdx, a.nCnt, b.nIdx, b.nCnt, 'negative'],
  ] as const) {
    if (ai.length !== bi.length || ai.some((x, i) => x !== bi[i])) return `${side} buckets differ`;
    for (let i = 0; i < ac.length; i++) if (!almostEqual(ac[i]!, bc[i]!)) return `${side} bucket ${ai[i]} differs`;
  }
  if (checkHint && a.counterResetHint !== b.counterResetHint) return `counter reset hint ${b.counterResetHint}, expected ${a.counterResetHint}`;
  return undefined;
}

function slotMatches(slot: Slot, v: number, h: FloatHistogram | undefined): string | undefined {
  if (slot.kind === 'histogram') {
    if (!h) return `expected histogram ${slot.h}, got float ${v}`;
    const p = histogramsMatch(slot.h, h, slot.hintSet);
    return p ? `expected ${slot.h}, got ${h} (${p})` : undefined;
  }
  if (slot.kind !== 'float') return `expected ${slot.kind}`;
  if (h) return `expected float ${slot.v}, got histogram ${h}`;
  return almostEqual(slot.v, v) ? undefined : `expected ${slot.v}, got ${v}`;
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
      const fpts: [number, Slot][] = [];
      const hpts: [number, Slot][] = [];
      e.slots.forEach((slot, k) => {
        if (slot.kind === 'float') fpts.push([r.start + k * r.step, slot]);
        else if (slot.kind === 'histogram') hpts.push([r.start + k * r.step, slot]);
      });
      if ([...fpts, ...hpts].some(([t]) => t > r.end)) return `expected values beyond the end for ${fmt(s.metric)}`;
      const gf: number[] = [];
      const gh: number[] = [];
      s.ts.forEach((_, i) => (s.hs?.[i] ? gh : gf).push(i));
      const show = () => s.ts.map((t, i) => `${s.hs?.[i] ?? s.vs[i]}@${t}`).join(' ');
      if (fpts.length !== gf.length) return `expected ${fpts.length} float points for ${fmt(s.metric)}, got ${gf.length}: ${show()}`;
      if (hpts.length !== gh.length) return `expected ${hpts.length} histogram points for ${fmt(s.metric)}, got ${gh.length}: ${show()}`;
      for (const [pts, idx] of [
        [fpts, gf],
        [hpts, gh],
      ] as const) {
        for (let i = 0; i < pts.length; i++) {
          const j = idx[i]!;
          if (pts[i]![0] !== s.ts[j]) return `series ${fmt(s.metric)} point ${i}: expected a point at ${pts[i]![0]}, got ${s.ts[j]}`;
          const p = slotMatches(pts[i]![1], s.vs[j]!, s.hs?.[j]);
          if (p) return `series ${fmt(s.metric)} at ${s.ts[j]}: ${p}`;
        }
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
    if (!e) return `unexpected sample ${fmt(s.metric)} ${s.h ?? s.v}`;
    if (seen.has(key)) return `duplicate sample ${fmt(s.metric)}`;
    seen.add(key);
    const p = slotMatches(e.slots[0]!, s.v, s.h);
    if (p) return `${fmt(s.metric)}: ${p}`;
    if (cmd.ordered && e.pos !== i + 1) return `${fmt(s.metric)}: expected position ${e.pos}, got ${i + 1}`;
  }
  for (const e of cmd.expected) if (!seen.has(JSON.stringify(e.labels))) return `missing sample ${fmt(e.labels)}`;
  return undefined;
}
