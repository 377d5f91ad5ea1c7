/**
 * Caps the number of distinct values one label may take. The first `limit`
 * values pass through unchanged; every later new value collapses to
 * `overflow`, so whatever URLs or headers clients send, the label adds at
 * most `limit + 1` series per other label combination.
 *
 * Safe to share between adapters; values are remembered for the lifetime of
 * the instance (the cap is on what has ever been seen, as the registry keeps
 * every series it has ever created).
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  /**
   * @param limit most distinct values kept (inclusive)
   * @param overflow the value recorded once the cap is reached
   */
  constructor(
    readonly limit: number,
    readonly overflow = '__overflow__',
  ) {}

  /** Returns `v` if it is (or can become) one of the kept values, else the overflow value. */
  value(v: string): string {
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.limit) return this.overflow;
    this.seen.add(v);
    return v;
  }

  /** Number of distinct values kept so far (excluding the overflow value). */
  get size(): number {
    return this.seen.size;
  }
}
