/**
 * The distinct lines of many text blocks (`\n`-separated), each with a
 * number combined from the values of its occurrences: how the `cluster`
 * primary matches the workers' series when they listed them in different
 * orders (a series' formatted line is its key).
 *
 * No string is made per line. A `Map` keyed by the line strings held 100k
 * young strings (slices of the received blocks) and a table of pointers to
 * them across several scavenges, each of which then had to copy the
 * strings and scan the table: with two workers of 100k series the
 * primary's longest pauses were such scavenges, 5–9 ms each. Here a line is
 * a position (source block, start, length) in typed arrays, found through a
 * `Map` from a 30-bit hash of its characters (a small integer: nothing for
 * the collector to trace) to the first series with that hash; series with
 * the same hash are chained and told apart by comparing their characters.
 */
export class LineIndex {
  /** Hash -> first series with it. */
  private readonly heads = new Map<number, number>();
  /** The blocks lines were read from; a series points into one. */
  private readonly sources: string[] = [];
  private next = new Int32Array(1024);
  private source = new Int32Array(1024);
  private start = new Int32Array(1024);
  private length = new Int32Array(1024);
  private acc = new Float64Array(1024);
  private counts = new Int32Array(1024);
  /** Distinct lines so far, in the order first seen. */
  size = 0;

  /** @param hash a line's hash, `block.slice(start, end)`'s (a test passes a poor one to force collisions) */
  constructor(private readonly hash: (block: string, start: number, end: number) => number = fnv1a) {}

  /**
   * Adds every line of `block`, line `i` with `values[i]`: a line seen
   * before combines its value into its series (`add`), a new one starts a
   * series (`start`).
   */
  addBlock(block: string, values: ArrayLike<number>, start: (v: number) => number, add: (acc: number, v: number) => number): void {
    const src = this.sources.length;
    this.sources.push(block);
    let s = 0;
    for (let i = 0; ; i++) {
      let e = block.indexOf('\n', s);
      if (e === -1) e = block.length;
      const h = this.hash(block, s, e);
      const k = this.find(h, block, s, e);
      const v = values[i]!;
      if (k === -1) this.insert(h, src, s, e, start(v));
      else {
        this.acc[k] = add(this.acc[k]!, v);
        this.counts[k]!++;
      }
      if (e === block.length) return;
      s = e + 1;
    }
  }

  /** Series `k`'s line. */
  line(k: number): string {
    const s = this.start[k]!;
    return this.sources[this.source[k]!]!.slice(s, s + this.length[k]!);
  }

  /** Series `k`'s combined value and how many values went into it. */
  value(k: number): number {
    return this.acc[k]!;
  }

  count(k: number): number {
    return this.counts[k]!;
  }

  /** The series whose line is `block.slice(s, e)` (its hash `h`), or -1. */
  private find(h: number, block: string, s: number, e: number): number {
    const len = e - s;
    for (let k = this.heads.get(h) ?? -1; k !== -1; k = this.next[k]!) {
      if (this.length[k] === len && sameChars(this.sources[this.source[k]!]!, this.start[k]!, block, s, len)) return k;
    }
    return -1;
  }

  private insert(h: number, src: number, s: number, e: number, acc: number): void {
    const k = this.size++;
    if (k === this.next.length) this.grow();
    this.next[k] = this.heads.get(h) ?? -1;
    this.heads.set(h, k);
    this.source[k] = src;
    this.start[k] = s;
    this.length[k] = e - s;
    this.acc[k] = acc;
    this.counts[k] = 1;
  }

  private grow(): void {
    const n = this.next.length * 2;
    const wider = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.next = wider(this.next, (m) => new Int32Array(m));
    this.source = wider(this.source, (m) => new Int32Array(m));
    this.start = wider(this.start, (m) => new Int32Array(m));
    this.length = wider(this.length, (m) => new Int32Array(m));
    this.acc = wider(this.acc, (m) => new Float64Array(m));
    this.counts = wider(this.counts, (m) => new Int32Array(m));
  }
}

/** FNV-1a over the UTF-16 code units of `block.slice(start, end)`, cut to 30 bits (a small integer on every V8 build). */
function fnv1a(block: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ block.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

function sameChars(a: string, as: number, b: string, bs: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (a.charCodeAt(as + i) !== b.charCodeAt(bs + i)) return false;
  return true;
}
