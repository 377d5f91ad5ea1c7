import type { Label, Labels } from '@vigil/core';
import { sortLabels } from '@vigil/core';
import { STALE_NAN } from '../../storage/index.ts';

/** One expanded value slot of a series line: a float, an empty slot, or a native histogram (kept as text). */
export type Slot = { kind: 'float'; v: number } | { kind: 'empty' } | { kind: 'histogram'; text: string };

export interface SeriesLine {
  labels: Labels;
  slots: Slot[];
}

const NUM = String.raw`(?:[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF]|[nN][aA][nN]))`;
const EXPAND_RE = new RegExp(`^(${NUM})(?:([+-])(${NUM.replace('[+-]?', '')}))?x(\\d+)$`);
const SINGLE_RE = new RegExp(`^${NUM}$`);

/** Parses a float as the test language does: decimal, Inf/NaN in any case, optional sign; never hex. */
export function parseSeriesFloat(s: string): number {
  const m = /^([+-]?)(inf|nan)$/i.exec(s);
  if (m) return m[2]!.toLowerCase() === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
  return Number(s);
}

/** Splits `metric{…} v v v` into the metric text and the value text, respecting quotes and braces. */
function splitMetric(line: string): [string, string] {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\' && quote !== '`') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if ((c === ' ' || c === '\t') && depth === 0) return [line.slice(0, i), line.slice(i + 1).trim()];
  }
  return [line, ''];
}

/** Reads a PromQL string literal starting at `i`; returns the value and the index after it. */
export function readString(s: string, i: number): [string, number] {
  const q = s[i]!;
  let out = '';
  i++;
  while (i < s.length && s[i] !== q) {
    const c = s[i]!;
    if (c === '\\' && q !== '`') {
      const n = s[i + 1]!;
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };
      if (n in simple) {
        out += simple[n];
        i += 2;
      } else if (n === 'x') {
        out += String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16));
        i += 4;
      } else if (n === 'u' || n === 'U') {
        const len = n === 'u' ? 4 : 8;
        out += String.fromCodePoint(parseInt(s.slice(i + 2, i + 2 + len), 16));
        i += 2 + len;
      } else if (/[0-7]/.test(n)) {
        out += String.fromCharCode(parseInt(s.slice(i + 1, i + 4), 8));
        i += 4;
      } else throw new Error(`invalid escape in string: \\${n}`);
      continue;
    }
    out += c;
    i++;
  }
  if (i >= s.length) throw new Error(`unterminated string in ${s}`);
  return [out, i + 1];
}

/**
 * Decodes Go-escaped strings byte-wise: `\xc5` in Go is a raw byte, so a run
 * of \x escapes forms UTF-8 (or invalid UTF-8, which Go keeps as bytes).
 */
function readName(s: string, i: number): [string, number] {
  if (s[i] === '"' || s[i] === "'" || s[i] === '`') return readString(s, i);
  const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s.slice(i));
  if (!m) throw new Error(`bad label name at ${s.slice(i)}`);
  return [m[0], i + m[0].length];
}

/** Parses `name{a="b", …}` / `{__name__="x"}` / `{}` into sorted labels. */
export function parseMetric(text: string): Labels {
  const ls: Label[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  if (text[0] !== '{') {
    const [name, j] = readName(text, 0);
    ls.push({ name: '__name__', value: name });
    i = j;
  }
  ws();
  if (text[i] === '{') {
    i++;
    ws();
    while (text[i] !== '}') {
      const [name, j] = readName(text, i);
      i = j;
      ws();
      if (text[i] === '=') {
        i++;
        ws();
        const [value, k] = readString(text, i);
        i = k;
        ls.push({ name, value });
      } else {
        // A bare quoted name inside braces is the metric name (UTF-8 syntax).
        ls.push({ name: '__name__', value: name });
      }
      ws();
      if (text[i] === ',') i++;
      ws();
      if (i >= text.length) throw new Error(`unterminated label set: ${text}`);
    }
    i++;
  }
  if (text.slice(i).trim() !== '') throw new Error(`unexpected text after labels: ${text}`);
  return sortLabels(ls.filter((l) => l.value !== ''));
}

/** Expands the value items of a series line (§2.1 of FORMAT.md). */
export function expandValues(text: string): Slot[] {
  const out: Slot[] = [];
  // Histogram literals contain spaces; tokenise them as one item.
  const items: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    let j = i;
    let depth = 0;
    while (j < text.length && (depth > 0 || !/\s/.test(text[j]!))) {
      if (text.startsWith('{{', j)) {
        depth++;
        j += 2;
        continue;
      }
      if (text.startsWith('}}', j) && depth > 0) {
        depth--;
        j += 2;
        continue;
      }
      j++;
    }
    items.push(text.slice(i, j));
    i = j;
  }
  for (const item of items) {
    if (item.startsWith('{{')) {
      const m = /x(\d+)$/.exec(item);
      const n = m && item.slice(0, -m[0].length).endsWith('}}') ? Number(m[1]) + 1 : 1;
      for (let k = 0; k < n; k++) out.push({ kind: 'histogram', text: item });
      continue;
    }
    if (item === '_') {
      out.push({ kind: 'empty' });
      continue;
    }
    if (item === 'stale') {
      out.push({ kind: 'float', v: STALE_NAN });
      continue;
    }
    let m = /^_x(\d+)$/.exec(item);
    if (m) {
      for (let k = 0; k < Number(m[1]); k++) out.push({ kind: 'empty' });
      continue;
    }
    m = EXPAND_RE.exec(item);
    if (m) {
      let v = parseSeriesFloat(m[1]!);
      const n = Number(m[4]);
      const d = m[3] === undefined ? 0 : parseSeriesFloat(m[3]) * (m[2] === '-' ? -1 : 1);
      for (let k = 0; k <= n; k++) {
        out.push({ kind: 'float', v });
        // Repeated addition, as upstream does, for bit-identical values.
        if (m[3] !== undefined) v += d;
      }
      continue;
    }
    if (SINGLE_RE.test(item)) {
      out.push({ kind: 'float', v: parseSeriesFloat(item) });
      continue;
    }
    throw new Error(`invalid value item ${JSON.stringify(item)}`);
  }
  return out;
}

/** Parses one `<series> <values…>` line. */
export function parseSeriesLine(line: string): SeriesLine {
  const [metric, values] = splitMetric(line);
  return { labels: parseMetric(metric), slots: expandValues(values) };
}
