import type { Matcher } from '@vigil/core';

/**
 * Inverted index from label name/value to series refs. Equality matchers
 * intersect posting sets; other matchers scan only the values of their label
 * name, never every series.
 */
export class Postings {
  private readonly byName = new Map<string, Map<string, Set<number>>>();
  private readonly all = new Set<number>();

  add(ref: number, labels: ReadonlyArray<{ name: string; value: string }>): void {
    this.all.add(ref);
    for (const l of labels) {
      let values = this.byName.get(l.name);
      if (!values) this.byName.set(l.name, (values = new Map()));
      let refs = values.get(l.value);
      if (!refs) values.set(l.value, (refs = new Set()));
      refs.add(ref);
    }
  }

  delete(ref: number, labels: ReadonlyArray<{ name: string; value: string }>): void {
    this.all.delete(ref);
    for (const l of labels) {
      const values = this.byName.get(l.name);
      const refs = values?.get(l.value);
      if (!refs) continue;
      refs.delete(ref);
      if (refs.size === 0) values!.delete(l.value);
      if (values!.size === 0) this.byName.delete(l.name);
    }
  }

  labelNames(): string[] {
    return [...this.byName.keys()].sort();
  }

  labelValues(name: string): string[] {
    return [...(this.byName.get(name)?.keys() ?? [])].sort();
  }

  /** Refs of series matching every matcher (Prometheus's PostingsForMatchers semantics for empty matches). */
  select(matchers: readonly Matcher[]): Set<number> {
    let acc: Set<number> | undefined;
    const subtract: Set<number>[] = [];
    // Narrow with the matchers that do not match the empty string first.
    const ordered = [...matchers].sort((a, b) => rank(a) - rank(b));
    for (const m of ordered) {
      const values = this.byName.get(m.name);
      if (m.matchesEmpty()) {
        // Series lacking the label match too: subtract the series whose value fails.
        const failing = new Set<number>();
        if (values) for (const [v, refs] of values) if (!m.matches(v)) for (const r of refs) failing.add(r);
        subtract.push(failing);
        continue;
      }
      const hit = new Set<number>();
      if (values) {
        if (m.type === '=') {
          for (const r of values.get(m.value) ?? []) hit.add(r);
        } else {
          for (const [v, refs] of values) if (m.matches(v)) for (const r of refs) hit.add(r);
        }
      }
      acc = acc === undefined ? hit : intersect(acc, hit);
      if (acc.size === 0) return acc;
    }
    let out = acc ?? new Set(this.all);
    for (const s of subtract) {
      if (s.size === 0) continue;
      const next = new Set<number>();
      for (const r of out) if (!s.has(r)) next.add(r);
      out = next;
    }
    return out;
  }
}

function rank(m: Matcher): number {
  if (m.matchesEmpty()) return 3;
  return m.type === '=' ? 0 : m.type === '=~' ? 1 : 2;
}

function intersect(a: Set<number>, b: Set<number>): Set<number> {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  const out = new Set<number>();
  for (const r of small) if (big.has(r)) out.add(r);
  return out;
}
