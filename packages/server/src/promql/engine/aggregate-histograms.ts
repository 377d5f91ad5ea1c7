import { labelsKey, type Labels } from '@vigil/core';
import { IncompatibleSchemaError, withCompensation, type FloatHistogram } from '../histogram/float-histogram.ts';
import { COLLISION, MIXED_EXP_CUSTOM, RECONCILED } from '../functions/histogram-functions.ts';
import { aggregate } from './aggregate.ts';
import { groupLabels } from './grouping.ts';
import type { VSample } from './value.ts';

/** Aggregations that only look at floats: native histograms are skipped with an info. */
const FLOAT_ONLY = new Set(['min', 'max', 'stddev', 'stdvar', 'quantile', 'topk', 'bottomk']);

export interface AggAnnotator {
  warn(text: string): void;
  info(text: string): void;
}

/**
 * An aggregation over an input vector holding native histograms
 * (promql/engine.go `aggregation` rules): `sum` and `avg` add histograms
 * (a group mixing floats and histograms yields nothing, with a warning);
 * `count`, `group`, `limitk`, `limit_ratio` treat them like any sample;
 * `min`, `max`, `stddev`, `stdvar`, `quantile`, `topk`, `bottomk` ignore
 * them with an info.
 */
export function aggregateWithHistograms(op: string, input: VSample[], grouping: string[], without: boolean, param: number | string | undefined, ann: AggAnnotator): VSample[] {
  if (FLOAT_ONLY.has(op)) {
    if (input.some((s) => s.h)) ann.info(`PromQL info: ignored histogram in ${op} aggregation`);
    return aggregate(op, input.filter((s) => !s.h), grouping, without, param).out;
  }
  if (op !== 'sum' && op !== 'avg') return aggregate(op, input, grouping, without, param).out;
  const groups = new Map<string, { metric: Labels; samples: VSample[] }>();
  for (const s of input) {
    const metric = groupLabels(s.metric, grouping, without);
    const k = labelsKey(metric);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { metric, samples: [] }));
    g.samples.push(s);
  }
  const floatSamples: VSample[] = [];
  const out: VSample[] = [];
  for (const g of groups.values()) {
    const hs = g.samples.filter((s) => s.h);
    if (hs.length === 0) {
      floatSamples.push(...g.samples);
      continue;
    }
    if (hs.length !== g.samples.length) {
      ann.warn('PromQL warning: encountered a mix of histograms and floats for aggregation');
      continue;
    }
    let reset = false;
    let notReset = false;
    let reconciled = false;
    let acc: FloatHistogram = hs[0]!.h!;
    let mean: FloatHistogram | undefined;
    let c: FloatHistogram | undefined;
    let failed = false;
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i]!.h!;
      if (h.counterResetHint === 'reset') reset = true;
      if (h.counterResetHint === 'not_reset') notReset = true;
      if (i === 0) continue;
      try {
        if (op === 'sum' || !mean) {
          const r = acc.kahanAdd(h, c);
          if (r.reconciled) reconciled = true;
          if (op === 'sum' || !overflow(r.h)) {
            acc = r.h;
            c = r.c;
            continue;
          }
          mean = withCompensation(acc, c).div(i);
        }
        const count = i + 1;
        const q = (count - 1) / count;
        const r = mean.mul(q).add(h.div(count));
        if (r.reconciled) reconciled = true;
        mean = r.h;
      } catch (e) {
        if (!(e instanceof IncompatibleSchemaError)) throw e;
        ann.warn(MIXED_EXP_CUSTOM(hs[i]!.metric.find((l) => l.name === '__name__')?.value ?? ''));
        failed = true;
        break;
      }
    }
    if (reconciled) ann.info(RECONCILED('aggregation'));
    if (failed) continue;
    const res = op === 'sum' ? withCompensation(acc, c) : (mean ?? (c ? withCompensation(acc.div(hs.length), c.div(hs.length)) : acc.div(hs.length)));
    if (reset && notReset) ann.warn(COLLISION('aggregation'));
    out.push({ metric: g.metric, v: 0, h: res.compact(), drop: g.samples.some((s) => s.drop) });
  }
  if (floatSamples.length) out.push(...aggregate(op, floatSamples, grouping, without, param).out);
  return out;
}

function overflow(h: FloatHistogram): boolean {
  const inf = (v: number) => v === Infinity || v === -Infinity;
  return inf(h.zeroCount) || inf(h.count) || inf(h.sum) || h.pCnt.some(inf) || h.nCnt.some(inf);
}
