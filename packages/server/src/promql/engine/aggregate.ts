import { compareLabels, labelsKey, type Labels } from '@vigil/core';
import { PromQLExecError } from '../errors.ts';
import { avg, kahanSum, quantile } from '../functions/range-functions.ts';
import { formatOpenMetricsLikeGo } from './format.ts';
import { groupLabels, setLabel } from './grouping.ts';
import type { VSample } from './value.ts';

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
      for (const g of groups.values()) {
        const sorted = [...g.samples].sort((a, b) => cmpForK(a.v, b.v, op === 'topk'));
        out.push(...sorted.slice(0, k));
      }
      return { out, infos };
    }
    case 'limitk': {
      const k = Math.floor(param as number);
      if (!(k >= 1)) return { out, infos };
      for (const g of groups.values()) out.push(...[...g.samples].sort((a, b) => compareLabels(a.metric, b.metric)).slice(0, k));
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

/** topk/bottomk order: NaN sorts last for both. */
function cmpForK(a: number, b: number, desc: boolean): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return desc ? b - a : a - b;
}
