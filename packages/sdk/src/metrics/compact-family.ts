/**
 * A metric family held as text: its samples' names and label sets already
 * formatted (`name{a="1",b="2"}`), one per line, in blocks of a few hundred
 * lines, with their values in a parallel array per block. A family of 100k
 * series is then a few hundred strings and number arrays on the heap instead
 * of 100k sample objects with a label object each, which is what made the
 * `cluster` primary's garbage collections long while it held the workers'
 * replies. The renderer writes such a family's lines straight from the
 * blocks (see `render.ts`).
 */
export interface CompactFamily {
  /** Sample prefixes, `\n`-separated, one line per value of the same index in `values`. */
  blocks: string[];
  values: Float64Array[];
}

/** Where a metric registered in a prom-client registry carries its {@link CompactFamily}. */
export const COMPACT = Symbol('vigil.compactFamily');

/** The metric's {@link CompactFamily}, if it has one. */
export function compactOf(metric: unknown): CompactFamily | undefined {
  return (metric as { [COMPACT]?: CompactFamily } | null)?.[COMPACT];
}

/** Calls `fn` with each line of `block` and its index (no array of lines is made). */
export function eachLine(block: string, fn: (line: string, i: number) => void): void {
  let start = 0;
  for (let i = 0; ; i++) {
    const nl = block.indexOf('\n', start);
    fn(nl === -1 ? block.slice(start) : block.slice(start, nl), i);
    if (nl === -1) return;
    start = nl + 1;
  }
}

/**
 * A sample line of a compact family (as `sampleLine` in `line-parts.ts`
 * formats it), read back: the sample's name and labels (values unescaped,
 * as strings). Throws on a line it did not make.
 */
export function parseSampleLine(line: string): { name: string; labels: Record<string, string> } {
  const brace = line.indexOf('{');
  if (brace === -1) return { name: line, labels: {} };
  const labels: Record<string, string> = {};
  let i = brace + 1;
  while (i < line.length && line[i] !== '}') {
    const eq = line.indexOf('="', i);
    if (eq === -1) throw new Error(`malformed sample line at offset ${i}: ${line}`);
    const key = line.slice(i, eq);
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        j++;
        value += line[j] === 'n' ? '\n' : line[j];
      } else value += line[j];
    }
    labels[key] = value;
    i = line[j + 1] === ',' ? j + 2 : j + 1;
  }
  return { name: line.slice(0, brace), labels };
}
