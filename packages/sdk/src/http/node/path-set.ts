/**
 * A set of request paths (the SDK's own endpoints, the paths an adapter is
 * told to ignore) asked about on every request. The path asked about is
 * usually a fresh string (`req.url`, or a slice of it), so a plain
 * `Set.has` hashes all its characters first (`String::ComputeAndSetRawHash`,
 * about 0.1 µs per request in a CPU profile of an Express server); here a
 * path shorter than 32 characters whose length no member has is answered
 * without hashing. Longer paths go to the set.
 */
export class PathSet {
  private readonly paths: Set<string>;
  /** Bit n set: some member is n characters long (n < 32). */
  private readonly lengths: number;

  constructor(paths: Iterable<string>) {
    this.paths = new Set(paths);
    let lengths = 0;
    for (const p of this.paths) if (p.length < 32) lengths |= 1 << p.length;
    this.lengths = lengths;
  }

  has(path: string): boolean {
    const n = path.length;
    if (n < 32 && (this.lengths & (1 << n)) === 0) return false;
    return this.paths.has(path);
  }
}
