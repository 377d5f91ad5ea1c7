import { compareLabels, labelsKey, type Labels } from '@vigil/core';
import { PromQLExecError } from '../errors.ts';
import { avg, kahanSum, quantile } from '../functions/range-functions.ts';
import { formatOpenMetricsLikeGo } from './format.ts';
import { groupLabels, setLabel } from './grouping.ts';
import type { VSample } from './value.ts';
import { ratioOffset } from './label-hash.ts';

interface Group {
  metric: Labels;
  samples: VSample[];
}

/**
 * Evaluates an aggregation over one step's input vector (promql/engine.go
 * `aggregation`). Groups keep first-seen order, as upstream does.
 */
export function aggregate(
  op: string,
  input: VSample[],
  grouping: string[],
  without: boolean,
  param: number | string | undefined,
  /** Optional memo of label set → group, valid for this grouping only (series keep their label arrays across steps). */
  cache?: WeakMap<Labels, { metric: Labels; key: string }>,
): { out: VSample[]; infos: string[] } {
  const infos: string[] = [];
  if (STREAMING.has(op)) return { out: aggregateStreaming(op, input, grouping, without, cache), infos };
  const groups = new Map<string, Group>();
  for (const s of input) {
    let hit = cache?.get(s.metric);
    if (!hit) {
      const metric = groupLabels(s.metric, grouping, without);
      hit = { metric, key: labelsKey(metric) };
      cache?.set(s.metric, hit);
    }
    const g = hit.metric;
    const key = hit.key;
    let grp = groups.get(key);
    if (!grp) groups.set(key, (grp = { metric: g, samples: [] }));
    grp.samples.push(s);
  }
  const out: VSample[] = [];
  switch (op) {
    case 'topk':
    case 'bottomk': {
      const k = Math.floor(param as number);
      if (!(k >= 1)) return { out, infos };
      const desc = op === 'topk';
      for (const g of groups.values()) {
        if (k > 64 || k >= g.samples.length) {
          const sorted = [...g.samples].sort((a, b) => cmpForK(a.v, b.v, desc));
          out.push(...sorted.slice(0, k));
          continue;
        }
        // The first k of a stable sort, kept in a sorted buffer: one pass instead of sorting the group.
        const best: VSample[] = [];
        for (const s of g.samples) keepBest(best, k, s, s.v, sampleValue, desc);
        for (const s of best) out.push(s);
      }
      return { out, infos };
    }
    case 'limitk': {
      const k = Math.floor(param as number);
      if (!(k >= 1)) return { out, infos };
      for (const g of groups.values()) out.push(...[...g.samples].sort((a, b) => compareLabels(a.metric, b.metric)).slice(0, k));
      return { out, infos };
    }
    case 'limit_ratio': {
      // A stable pseudo-random subset: a series is in when its hash offset is below the ratio (or, for a negative ratio, in the complement).
      const r = param as number;
      for (const s of input) {
        const o = ratioOffset(s.metric);
        if ((r >= 0 && o < r) || (r < 0 && o >= 1 + r)) out.push(s);
      }
      return { out, infos };
    }
    case 'count_values': {
      const label = param as string;
      for (const g of groups.values()) {
        const counts = new Map<string, { metric: Labels; n: number }>();
        for (const s of g.samples) {
          const vs = formatOpenMetricsLikeGo(s.v);
          const metric = setLabel(g.metric, label, vs);
          const key = labelsKey(metric);
          const c = counts.get(key);
          if (c) c.n++;
          else counts.set(key, { metric, n: 1 });
        }
        for (const c of counts.values()) out.push({ metric: c.metric, v: c.n });
      }
      return { out, infos };
    }
  }
  for (const g of groups.values()) {
    const vs = g.samples.map((s) => s.v);
    let v: number;
    switch (op) {
      case 'sum':
        v = kahanSum(vs);
        break;
      case 'avg': {
        v = avg(vs);
        break;
      }
      case 'min':
        v = vs.reduce((a, b) => (b < a || Number.isNaN(a) ? b : a));
        break;
      case 'max':
        v = vs.reduce((a, b) => (b > a || Number.isNaN(a) ? b : a));
        break;
      case 'count':
        v = vs.length;
        break;
      case 'group':
        v = 1;
        break;
      case 'stddev':
      case 'stdvar': {
        let count = 0,
          mean = 0,
          m2 = 0;
        for (const x of vs) {
          count++;
          const d = x - mean;
          mean += d / count;
          m2 += d * (x - mean);
        }
        v = m2 / count;
        if (op === 'stddev') v = Math.sqrt(v);
        break;
      }
      case 'quantile':
        v = quantile(param as number, vs);
        break;
      default:
        throw new PromQLExecError(`unknown aggregation ${op}`);
    }
    // A kept `__name__` (by (__name__)) goes later if any input had its name marked for removal.
    out.push({ metric: g.metric, v, drop: g.samples.some((s) => s.drop) });
  }
  return { out, infos };
}

const sampleValue = (s: VSample) => s.v;

/**
 * Offers `item` (value `v`) to `best`, the first k items so far of a stable
 * topk/bottomk order, best first: one pass over a group instead of a sort.
 */
export function keepBest<T>(best: T[], k: number, item: T, v: number, valueOf: (x: T) => number, desc: boolean): void {
  if (best.length === k && cmpForK(v, valueOf(best[k - 1]!), desc) >= 0) return;
  let j = best.length < k ? best.length : k - 1;
  if (best.length < k) best.push(item);
  while (j > 0 && cmpForK(v, valueOf(best[j - 1]!), desc) < 0) {
    best[j] = best[j - 1]!;
    j--;
  }
  best[j] = item;
}

/** topk/bottomk order: NaN sorts last for both. */
function cmpForK(a: number, b: number, desc: boolean): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return desc ? b - a : a - b;
}

/** Aggregations computed in one pass with per-group accumulators (no per-group sample lists). */
const STREAMING: ReadonlySet<string> = new Set(['sum', 'count', 'group', 'min', 'max', 'avg']);

interface Acc {
  metric: Labels;
  drop: boolean;
  n: number;
  /** sum / min / max / avg's running sum. */
  v: number;
  /** Neumaier compensation. */
  c: number;
  mean: number;
  incremental: boolean;
}

/** Go's kahanSumInc: one Neumaier step; the compensation resets on overflow. */
function kahanInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) return [t, c + (sum - t + inc)];
  return [t, c + (inc - t + sum)];
}

function aggregateStreaming(op: string, input: VSample[], grouping: string[], without: boolean, cache?: WeakMap<Labels, { metric: Labels; key: string }>): VSample[] {
  const groups = new Map<string, Acc>();
  for (const s of input) {
    let hit = cache?.get(s.metric);
    if (!hit) {
      const metric = groupLabels(s.metric, grouping, without);
      hit = { metric, key: labelsKey(metric) };
      cache?.set(s.metric, hit);
    }
    let a = groups.get(hit.key);
    if (!a) {
      groups.set(hit.key, { metric: hit.metric, drop: !!s.drop, n: 1, v: s.v, c: 0, mean: 0, incremental: false });
      continue;
    }
    if (s.drop) a.drop = true;
    a.n++;
    const v = s.v;
    switch (op) {
      case 'sum':
        [a.v, a.c] = kahanInc(v, a.v, a.c);
        break;
      case 'min':
        if (v < a.v || Number.isNaN(a.v)) a.v = v;
        break;
      case 'max':
        if (v > a.v || Number.isNaN(a.v)) a.v = v;
        break;
      case 'avg': {
        // As Prometheus: compensated sum until it would overflow, then an incremental mean.
        if (!a.incremental) {
          const [ns, nc] = kahanInc(v, a.v, a.c);
          if (ns !== Infinity && ns !== -Infinity) {
            a.v = ns;
            a.c = nc;
            break;
          }
          a.incremental = true;
          a.mean = a.v / (a.n - 1);
          a.c /= a.n - 1;
        }
        const q = (a.n - 1) / a.n;
        [a.mean, a.c] = kahanInc(v / a.n, q * a.mean, q * a.c);
        break;
      }
      default:
        break;
    }
  }
  const out: VSample[] = [];
  for (const a of groups.values()) {
    let v: number;
    switch (op) {
      case 'sum':
        v = Number.isFinite(a.v) ? a.v + a.c : a.v;
        break;
      case 'count':
        v = a.n;
        break;
      case 'group':
        v = 1;
        break;
      case 'avg':
        v = a.incremental ? a.mean + a.c : (a.v + a.c) / a.n;
        break;
      default:
        v = a.v;
    }
    // A kept `__name__` (by (__name__)) goes later if any input had its name marked for removal.
    out.push({ metric: a.metric, v, drop: a.drop });
  }
  return out;
}
