import { compareLabels, compileLinear, RegexSyntaxError, type LinearRegex } from '@vigil/core';
import { PromQLExecError } from '../errors.ts';
import { setLabel } from '../engine/grouping.ts';
import type { VSample } from '../engine/value.ts';

const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** sort / sort_desc: by value, NaN last either way. */
export function sortByValue(vec: readonly VSample[], desc: boolean): VSample[] {
  return [...vec].sort((a, b) => {
    if (Number.isNaN(a.v)) return Number.isNaN(b.v) ? 0 : 1;
    if (Number.isNaN(b.v)) return -1;
    return desc ? b.v - a.v : a.v - b.v;
  });
}

/** sort_by_label(_desc): natural order of the named labels, then the whole label set. */
export function sortByLabels(vec: readonly VSample[], names: readonly string[], desc: boolean): VSample[] {
  return [...vec].sort((a, b) => {
    for (const n of names) {
      const av = a.metric.find((l) => l.name === n)?.value ?? '';
      const bv = b.metric.find((l) => l.name === n)?.value ?? '';
      const c = av.localeCompare(bv, 'en', { numeric: true });
      if (c !== 0) return desc ? -c : c;
    }
    const c = compareLabels(a.metric, b.metric);
    return desc ? -c : c;
  });
}

/**
 * label_replace: when the anchored RE2 `regex` matches the `src` value, `dst`
 * becomes `repl` with `$1`/`${name}` expanded as Go's Regexp.Expand does (a
 * bare `$name` takes the longest run of word characters). Writing
 * `__name__` keeps the name through delayed name removal.
 */
export function labelReplace(vec: readonly VSample[], dst: string, repl: string, src: string, regex: string): VSample[] {
  let re: LinearRegex;
  try {
    re = compileLinear(regex);
  } catch (err) {
    if (err instanceof RegexSyntaxError) throw new PromQLExecError(`invalid regular expression in label_replace(): ${regex}`);
    throw err;
  }
  if (!dst || !LEGACY_LABEL.test(dst)) throw new PromQLExecError(`invalid destination label name in label_replace(): ${dst}`);
  return vec.map((s) => {
    const srcVal = s.metric.find((l) => l.name === src)?.value ?? '';
    const m = re.exec(srcVal);
    if (!m) return s;
    const val = repl.replace(/\$(\$|\{(\w+)\}|(\w+))/g, (_, all: string, braced?: string, bare?: string) => {
      if (all === '$') return '$';
      const key = braced ?? bare!;
      if (/^\d+$/.test(key)) return m.groups[Number(key)] ?? '';
      return m.named[key] ?? '';
    });
    return { metric: setLabel(s.metric, dst, val), v: s.v, drop: dst === '__name__' ? false : s.drop };
  });
}

/** label_join: `dst` becomes the `srcs` values joined by `sep`. */
export function labelJoin(vec: readonly VSample[], dst: string, sep: string, srcs: readonly string[]): VSample[] {
  if (!dst || !LEGACY_LABEL.test(dst)) throw new PromQLExecError(`invalid destination label name in label_join(): ${dst}`);
  return vec.map((s) => ({
    metric: setLabel(s.metric, dst, srcs.map((n) => s.metric.find((l) => l.name === n)?.value ?? '').join(sep)),
    v: s.v,
    drop: dst === '__name__' ? false : s.drop,
  }));
}
