import type { Labels } from '@vigil/core';

/** One series of a target as the loop tracks it across scrapes. */
export interface CacheEntry {
  /** labelsKey of `labels` ('' when dropped). */
  readonly key: string;
  /** The series text of the body this entry was first added for ('' for synthetic series). */
  readonly text: string;
  /** Labels after target labels and metric relabelling; undefined when relabelling dropped the series. */
  readonly labels: Labels | undefined;
  /** Storage ref from the last append (0 = unknown). */
  ref: number;
  /** Iteration that last saw the series text in a body (for pruning). */
  seen: number;
  /** Iteration that last appended it (duplicate detection within one scrape). */
  appended: number;
  /** Iteration whose scrape tracks it for staleness. */
  tracked: number;
}

/** Creates an entry not seen by any iteration yet. */
export function newEntry(key: string, labels: Labels | undefined, text = ''): CacheEntry {
  return { key, text, labels, ref: 0, seen: -1, appended: -1, tracked: -1 };
}

/**
 * Prometheus's scrape cache for one loop: series text from the body →
 * entry, so the label work of a series is done on its first scrape only.
 * Texts that resolve to the same labels share one entry. Entries not seen
 * for {@link SeriesCache.KEEP} iterations are forgotten. Not safe for
 * concurrent scrapes (a loop runs one at a time).
 */
export class SeriesCache {
  /** Scrapes an unseen series is remembered for. */
  static readonly KEEP = 10;
  private readonly byText = new Map<string, CacheEntry>();
  private readonly byKey = new Map<string, CacheEntry>();
  private iteration = 0;

  /** Starts a scrape; returns its iteration number. */
  nextIteration(): number {
    return ++this.iteration;
  }

  get(text: string): CacheEntry | undefined {
    return this.byText.get(text);
  }

  /** Records the labels of a series text; `isNew` when no other text had those labels. */
  add(text: string, labels: Labels | undefined): { entry: CacheEntry; isNew: boolean } {
    const key = labels ? keyOf(labels) : '';
    let entry = labels ? this.byKey.get(key) : undefined;
    const isNew = entry === undefined;
    if (!entry) {
      entry = newEntry(key, labels, text);
      if (labels) this.byKey.set(key, entry);
    }
    this.byText.set(text, entry);
    return { entry, isNew };
  }

  /** Forgets series unseen for KEEP iterations; runs a full pass only every KEEP iterations. */
  prune(iter: number): void {
    if (iter % SeriesCache.KEEP !== 0) return;
    for (const [text, e] of this.byText) {
      if (iter - e.seen < SeriesCache.KEEP) continue;
      this.byText.delete(text);
      if (e.labels && this.byKey.get(e.key) === e) this.byKey.delete(e.key);
    }
  }
}

function keyOf(ls: Labels): string {
  let s = '';
  for (const l of ls) s += l.name + '\xff' + l.value + '\xfe';
  return s;
}
