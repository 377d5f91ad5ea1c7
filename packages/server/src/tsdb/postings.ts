import type { Label, Matcher } from '@vigil/core';

/** A posting list: one id as a plain number (most values of a label like `instance` or `pod` name one series), more as a sorted array. */
type List = number | number[];

function asArray(l: List): number[] {
  return typeof l === 'number' ? [l] : l;
}

/**
 * Inverted index from label name/value to series ids, as sorted arrays of
 * ids (ids grow monotonically, so adding is an append), a lone id as a
 * number. `=` matchers read
 * one list; regex matchers with a literal alternation (`a|b|c`) look the
 * alternatives up directly; other matchers scan only the values of their
 * label name, never every series. Lists are intersected and merged sorted.
 */
export class Postings {
  private readonly byName = new Map<string, Map<string, List>>();
  private all: number[] = [];
  private readonly dead = new Set<number>();

  add(id: number, labels: readonly Label[]): void {
    this.all.push(id);
    for (const l of labels) {
      let values = this.byName.get(l.name);
      if (!values) this.byName.set(l.name, (values = new Map()));
      const list = values.get(l.value);
      if (list === undefined) values.set(l.value, id);
      else if (typeof list === 'number') {
        if (list !== id) values.set(l.value, list < id ? [list, id] : [id, list]);
      } else insertSorted(list, id);
    }
  }

  /** Marks a series gone; its ids are filtered out now and removed from the lists at the next {@link compact}. */
  delete(id: number): void {
    this.dead.add(id);
  }

  /** Drops deleted ids from every list. */
  compact(): void {
    if (this.dead.size === 0) return;
    const keep = (id: number) => !this.dead.has(id);
    this.all = this.all.filter(keep);
    for (const [name, values] of this.byName) {
      for (const [v, list] of values) {
        if (typeof list === 'number') {
          if (!keep(list)) values.delete(v);
          continue;
        }
        const next = list.filter(keep);
        if (next.length === 0) values.delete(v);
        else values.set(v, next.length === 1 ? next[0]! : next);
      }
      if (values.size === 0) this.byName.delete(name);
    }
    this.dead.clear();
  }

  labelNames(): string[] {
    const out: string[] = [];
    for (const [name, values] of this.byName) {
      for (const list of values.values()) {
        if (this.anyLive(list)) {
          out.push(name);
          break;
        }
      }
    }
    return out.sort();
  }

  labelValues(name: string): string[] {
    const out: string[] = [];
    for (const [v, list] of this.byName.get(name) ?? []) if (this.anyLive(list)) out.push(v);
    return out.sort();
  }

  private anyLive(list: List): boolean {
    if (typeof list === 'number') return !this.dead.has(list);
    if (this.dead.size === 0) return list.length > 0;
    for (const id of list) if (!this.dead.has(id)) return true;
    return false;
  }

  /** Sorted ids of series matching every matcher (Prometheus's PostingsForMatchers semantics for empty matches). */
  select(matchers: readonly Matcher[]): number[] {
    let acc: number[] | undefined;
    const subtract: number[][] = [];
    const ordered = [...matchers].sort((a, b) => rank(a) - rank(b));
    for (const m of ordered) {
      const values = this.byName.get(m.name);
      if (m.matchesEmpty()) {
        // Series lacking the label match too: subtract the series whose value fails.
        const failing: number[][] = [];
        if (values) for (const [v, list] of values) if (!m.matches(v)) failing.push(asArray(list));
        if (failing.length) subtract.push(union(failing));
        continue;
      }
      let hit: number[];
      if (!values) hit = [];
      else if (m.type === '=') {
        const l = values.get(m.value);
        hit = l === undefined ? [] : asArray(l);
      }
      else {
        const lists: number[][] = [];
        const alts = m.type === '=~' ? literalAlternatives(m.value) : undefined;
        if (alts) {
          for (const a of alts) {
            const l = values.get(a);
            if (l !== undefined && m.matches(a)) lists.push(asArray(l));
          }
        } else if (m.type === '=~' && m.value.endsWith('.*') && isLiteral(m.value.slice(0, -2))) {
          const prefix = m.value.slice(0, -2);
          for (const [v, l] of values) if (v.startsWith(prefix) && m.matches(v)) lists.push(asArray(l));
        } else {
          for (const [v, l] of values) if (m.matches(v)) lists.push(asArray(l));
        }
        hit = union(lists);
      }
      acc = acc === undefined ? hit : intersect(acc, hit);
      if (acc.length === 0) return [];
    }
    let out = acc ?? this.all;
    for (const s of subtract) out = difference(out, s);
    if (this.dead.size > 0) out = out.filter((id) => !this.dead.has(id));
    return out === this.all || out === acc ? out.slice() : out;
  }
}

function rank(m: Matcher): number {
  if (m.matchesEmpty()) return 3;
  return m.type === '=' ? 0 : m.type === '=~' ? 1 : 2;
}

const META = /[\\^$.|?*+()[\]{}]/;

function isLiteral(s: string): boolean {
  return !META.test(s);
}

/** `a|b|c` with no other regex syntax: the values it can match exactly. */
function literalAlternatives(re: string): string[] | undefined {
  if (re.startsWith('(?')) return undefined;
  const parts = re.split('|');
  for (const p of parts) if (!isLiteral(p)) return undefined;
  return parts;
}

function insertSorted(list: number[], id: number): void {
  if (list.length === 0 || list[list.length - 1]! < id) {
    list.push(id);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] !== id) list.splice(lo, 0, id);
}

export function intersect(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

export function difference(a: readonly number[], b: readonly number[]): number[] {
  if (b.length === 0) return a as number[];
  const out: number[] = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && b[j]! < x) j++;
    if (j < b.length && b[j] === x) continue;
    out.push(x);
  }
  return out;
}

export function union(lists: readonly (readonly number[])[]): number[] {
  if (lists.length === 0) return [];
  if (lists.length === 1) return lists[0] as number[];
  let total = 0;
  for (const l of lists) total += l.length;
  const all = new Float64Array(total);
  let k = 0;
  for (const l of lists) for (const x of l) all[k++] = x;
  all.sort();
  const out: number[] = [];
  for (let i = 0; i < total; i++) if (i === 0 || all[i] !== all[i - 1]) out.push(all[i]!);
  return out;
}
