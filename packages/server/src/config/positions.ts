import { isMap, isSeq, LineCounter, type Document, type Node, isPair, isScalar } from 'yaml';

/** A key path segment list (`['scrape_configs', 2, 'job_name']`) and its display form. */
export type KeyPath = ReadonlyArray<string | number>;

export function displayPath(path: KeyPath): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}

/**
 * Finds the line and column (1-based) of the node at `path`; with `key`
 * set, of the key of that map entry instead (for "unknown key" errors).
 * Falls back to the closest existing ancestor.
 */
export function locate(doc: Document, lc: LineCounter, path: KeyPath, keyName?: string): { line: number; col: number } {
  let node: unknown = doc.contents;
  let best: Node | undefined = doc.contents ?? undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === seg);
      if (!pair) break;
      node = pair.value;
      if (pair.value && (pair.value as Node).range) best = pair.value as Node;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (node && (node as Node).range) best = node as Node;
    } else break;
  }
  if (keyName !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === keyName);
    if (pair && isScalar(pair.key) && pair.key.range) {
      const pos = lc.linePos(pair.key.range[0]);
      return { line: pos.line, col: pos.col };
    }
  }
  const offset = best?.range?.[0] ?? 0;
  const pos = lc.linePos(offset);
  return { line: pos.line, col: pos.col };
}
