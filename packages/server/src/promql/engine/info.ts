import { Matcher, matchLabels, type Labels } from '@vigil/core';
import { PromQLExecError } from '../errors.ts';
import type { AtModifier, Call, Expr, VectorSelector } from '../parser/ast.ts';
import { setLabel } from './grouping.ts';
import { sampleAt } from './series-ops.ts';
import type { LoadedSeries, VSample } from './value.ts';

/**
 * The experimental `info(v, {data selector})` function: joins data labels of
 * info metrics (default `target_info`) onto `v` by the identifying labels
 * `instance` and `job`, as of the time `v` was read (so `@` and `offset`
 * in `v` pin the info series too).
 */
const IDENTIFYING = ['instance', 'job'];

/** Name matchers and data-label matchers of info()'s second argument. */
export function infoMatchers(call: Call): { name: Matcher[]; data: Matcher[] } {
  const sel = call.args[1];
  const ms = sel && sel.kind === 'vector' ? sel.matchers : [];
  const name = ms.filter((m) => m.name === '__name__');
  const data = ms.filter((m) => m.name !== '__name__');
  if (name.length === 0) return { name: [new Matcher('=', '__name__', 'target_info')], data };
  // Only negative name matchers: the candidates are still info metrics (`*_info`).
  if (!name.some((m) => m.type === '=' || m.type === '=~')) name.push(new Matcher('=~', '__name__', '.+_info'));
  return { name, data };
}

/** The hidden selector that loads the info series of one info() call. */
export function infoSelector(call: Call): VectorSelector {
  return { kind: 'vector', name: '', matchers: infoMatchers(call).name, offset: 0, at: undefined, pos: call.pos };
}

/** The time at which `e`'s samples were read when evaluated at `t` (follows @, offset and subqueries). */
export function referenceTime(e: Expr, t: number, start: number, end: number): number {
  const at = (a: AtModifier | undefined) => (!a ? t : a.type === 'start' ? start : a.type === 'end' ? end : a.t);
  switch (e.kind) {
    case 'vector':
      return at(e.at) - e.offset;
    case 'matrix':
      return at(e.vs.at) - e.vs.offset;
    case 'subquery':
      return referenceTime(e.expr, at(e.at) - e.offset, start, end);
    case 'paren':
    case 'unary':
      return referenceTime(e.expr, t, start, end);
    case 'binary':
      return referenceTime(e.lhs, t, start, end);
    case 'aggregate':
      return referenceTime(e.expr, t, start, end);
    case 'call': {
      const arg = e.args.find((a) => a.kind !== 'number' && a.kind !== 'string');
      return arg ? referenceTime(arg, t, start, end) : t;
    }
    default:
      return t;
  }
}

function label(ls: Labels, n: string): string | undefined {
  return ls.find((l) => l.name === n)?.value;
}

/** Enriches `base` with info series data labels as of `refT`. */
export function enrich(call: Call, base: VSample[], infoSeries: readonly LoadedSeries[], refT: number, lookback: number): VSample[] {
  const { name: nameMs, data: dataMs } = infoMatchers(call);
  // Info series alive at refT that satisfy the data matchers, newest sample per name and identity.
  const live: { metric: Labels; t: number }[] = [];
  for (const s of infoSeries) {
    const p = sampleAt(s, refT, lookback);
    if (!p) continue;
    if (!matchLabels(dataMs, s.metric)) continue;
    live.push({ metric: s.metric, t: p.t });
  }
  const emptyOk = dataMs.every((m) => m.matchesEmpty());
  const out: VSample[] = [];
  for (const b of base) {
    if (matchLabels(nameMs, b.metric) && label(b.metric, '__name__') !== undefined) {
      out.push(b);
      continue;
    }
    const ids = IDENTIFYING.filter((n) => label(b.metric, n) !== undefined);
    if (ids.length === 0) {
      if (emptyOk) out.push(b);
      continue;
    }
    const byName = new Map<string, { metric: Labels; t: number }>();
    for (const c of live) {
      if (!ids.every((n) => label(c.metric, n) === label(b.metric, n))) continue;
      const n = label(c.metric, '__name__') ?? '';
      const prev = byName.get(n);
      if (!prev || c.t > prev.t) byName.set(n, c);
    }
    if (byName.size === 0) {
      if (emptyOk) out.push(b);
      continue;
    }
    let metric = b.metric;
    const added = new Map<string, string>();
    const wanted = dataMs.length ? new Set(dataMs.map((m) => m.name)) : undefined;
    for (const c of byName.values()) {
      for (const l of c.metric) {
        if (l.name === '__name__' || IDENTIFYING.includes(l.name)) continue;
        if (wanted && !wanted.has(l.name)) continue;
        if (label(b.metric, l.name) !== undefined) continue;
        const prev = added.get(l.name);
        if (prev !== undefined && prev !== l.value) throw new PromQLExecError(`conflicting label: ${l.name} has values ${JSON.stringify(prev)} and ${JSON.stringify(l.value)} in different info metrics`);
        added.set(l.name, l.value);
        metric = setLabel(metric, l.name, l.value);
      }
    }
    out.push({ metric, v: b.v, t: b.t, drop: b.drop });
  }
  return out;
}
