import type { Matcher } from '@vigil/core';
import type { InhibitRuleConfig } from '../config/index.ts';
import { matchesLabelSet } from '../config/index.ts';
import type { AlertStore } from '../provider/index.ts';
import { fingerprint, isResolved, type Alert, type Clock, type LabelSet } from '../types.ts';

interface Rule {
  source: readonly Matcher[];
  target: readonly Matcher[];
  equal: readonly string[];
  /** Source alerts seen, by fingerprint; resolved ones are skipped on lookup. */
  cache: Map<string, Alert>;
}

/**
 * Alertmanager's Inhibitor, a Muter: a label set is muted when it matches a
 * rule's target matchers and a firing alert matching the source matchers
 * has equal values for every `equal` label. As Alertmanager, an alert that
 * matches both sides is not inhibited by an alert that also matches both.
 */
export class Inhibitor {
  private readonly rules: Rule[];
  private unsubscribe: (() => void) | undefined;

  constructor(
    rules: readonly InhibitRuleConfig[],
    private readonly clock: Clock,
  ) {
    this.rules = rules.map((r) => ({ source: r.source_matchers, target: r.target_matchers, equal: r.equal, cache: new Map() }));
  }

  /** Starts following the alert store. */
  run(store: AlertStore): void {
    this.unsubscribe = store.subscribe((a) => {
      for (const r of this.rules) {
        if (matchesLabelSet(r.source, a.labels)) r.cache.set(a.fingerprint, a);
        else r.cache.delete(a.fingerprint);
      }
    });
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /** The fingerprints of the alerts inhibiting this label set (empty when not muted). */
  inhibitedBy(ls: LabelSet): string[] {
    const now = this.clock.now();
    const fp = fingerprint(ls);
    for (const r of this.rules) {
      if (!matchesLabelSet(r.target, ls)) continue;
      const alsoSource = matchesLabelSet(r.source, ls);
      for (const s of r.cache.values()) {
        if (isResolved(s, now) || s.fingerprint === fp) continue;
        if (!r.equal.every((l) => (s.labels[l] ?? '') === (ls[l] ?? ''))) continue;
        if (alsoSource && matchesLabelSet(r.target, s.labels)) continue;
        return [s.fingerprint];
      }
    }
    return [];
  }

  mutes(ls: LabelSet): boolean {
    return this.inhibitedBy(ls).length > 0;
  }
}
