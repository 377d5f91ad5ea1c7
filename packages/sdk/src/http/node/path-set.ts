/**
 * A set of request paths (the SDK's own endpoints, the paths an adapter is
 * told to ignore) asked about on every request. The path asked about is
 * usually a fresh string (`req.url`, or a slice of it), so a plain
 * `Set.has` hashes all its characters first (`String::ComputeAndSetRawHash`,
 * about 0.1 µs per request in a CPU profile of an Express server); here a
 * path whose length no member has is answered without hashing.
 */
export class PathSet {
  private readonly paths: Set<string>;
  /** Bit n set: some member is n characters long (n < 32); {@link lengthsHi} for 32 to 63, {@link long} beyond. */
  private readonly lengthsLo: number;
  private readonly lengthsHi: number;
  private readonly long: boolean;

  constructor(paths: Iterable<string>) {
    this.paths = new Set(paths);
    let lo = 0;
    let hi = 0;
    let long = false;
    for (const p of this.paths) {
      const n = p.length;
      if (n < 32) lo |= 1 << n;
      else if (n < 64) hi |= 1 << (n - 32);
      else long = true;
    }
    this.lengthsLo = lo;
    this.lengthsHi = hi;
    this.long = long;
  }

  has(path: string): boolean {
    const n = path.length;
    const maybe = n < 32 ? (this.lengthsLo & (1 << n)) !== 0 : n < 64 ? (this.lengthsHi & (1 << (n - 32))) !== 0 : this.long;
    return maybe && this.paths.has(path);
  }
}
