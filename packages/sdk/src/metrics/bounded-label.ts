/**
 * Caps the number of distinct values a label may take: past `limit`, new
 * values collapse to `overflow`, so clients cannot explode cardinality.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    readonly limit: number,
    readonly overflow = '__overflow__',
  ) {}

  value(v: string): string {
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.limit) return this.overflow;
    this.seen.add(v);
    return v;
  }
}
