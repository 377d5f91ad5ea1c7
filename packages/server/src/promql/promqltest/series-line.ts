import type { Label, Labels } from '@vigil/core';
import { sortLabels } from '@vigil/core';
import { STALE_NAN } from '../../storage/index.ts';
import { CUSTOM_BUCKETS_SCHEMA, FloatHistogram, type CounterResetHint } from '../histogram/float-histogram.ts';

/**
 * One expanded value slot of a series line: a float, an empty slot, or a
 * native histogram. `hintSet` tells whether the literal wrote its counter
 * reset hint (only then do expectations check it).
 */
export type Slot = { kind: 'float'; v: number } | { kind: 'empty' } | { kind: 'histogram'; h: FloatHistogram; hintSet: boolean };

const HINTS: readonly CounterResetHint[] = ['unknown', 'reset', 'not_reset', 'gauge'];

/** Parses the inside of a `{{…}}` literal (FORMAT.md §2.2). */
export function parseHistogramLiteral(body: string): { h: FloatHistogram; hintSet: boolean } {
  const h = new FloatHistogram();
  let hintSet = false;
  const seen = new Set<string>();
  let pos: number[] = [];
  let neg: number[] = [];
  let offset = 0;
  let nOffset = 0;
  const re = /\s*([a-z_]+)\s*:\s*(\[[^\]]*\]|[^\s\]]+)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  const list = (v: string): number[] => {
    if (!v.startsWith('[')) throw new Error(`expected a list in histogram: ${v}`);
    return v.slice(1, -1).trim().split(/\s+/).filter(Boolean).map(parseSeriesFloat);
  };
  while ((m = re.exec(body))) {
    end = re.lastIndex;
    const [, key, val] = m as unknown as [string, string, string];
    if (seen.has(key)) throw new Error(`duplicate key ${key} in histogram`);
    seen.add(key);
    switch (key) {
      case 'schema':
        h.schema = Number(val);
        break;
      case 'sum':
        h.sum = parseSeriesFloat(val);
        break;
      case 'count':
        h.count = parseSeriesFloat(val);
        break;
      case 'z_bucket':
        h.zeroCount = parseSeriesFloat(val);
        break;
      case 'z_bucket_w':
        h.zeroThreshold = parseSeriesFloat(val);
        break;
      case 'buckets':
        pos = list(val);
        break;
      case 'n_buckets':
        neg = list(val);
        break;
      case 'offset':
        offset = Number(val);
        break;
      case 'n_offset':
        nOffset = Number(val);
        break;
      case 'custom_values':
        h.customValues = list(val);
        break;
      case 'counter_reset_hint':
        if (!HINTS.includes(val as CounterResetHint)) throw new Error(`invalid counter reset hint ${val}`);
        h.counterResetHint = val as CounterResetHint;
        hintSet = true;
        break;
      default:
        throw new Error(`unknown histogram key ${key}`);
    }
  }
  if (body.slice(end).trim() !== '') throw new Error(`invalid histogram: {{${body}}}`);
  h.pIdx = pos.map((_, i) => offset + i);
  h.pCnt = pos;
  h.nIdx = neg.map((_, i) => nOffset + i);
  h.nCnt = neg;
  if (h.schema === CUSTOM_BUCKETS_SCHEMA && !h.customValues) h.customValues = [];
  return { h, hintSet };
}

/** Expands `{{a}}`, `{{a}}xN`, `{{a}}+{{b}}xN`, `{{a}}-{{b}}xN`. */
function expandHistogramItem(item: string): Slot[] {
  const m = /^\{\{(.*?)\}\}(?:([+-])\{\{(.*?)\}\})?(?:x(\d+))?$/.exec(item);
  if (!m) throw new Error(`invalid histogram item ${JSON.stringify(item)}`);
  const base = parseHistogramLiteral(m[1]!);
  const n = m[4] === undefined ? 0 : Number(m[4]);
  if (m[2] === undefined) {
    if (m[4] === undefined) return [{ kind: 'histogram', ...base }];
    return Array.from({ length: n + 1 }, () => ({ kind: 'histogram' as const, h: base.h, hintSet: base.hintSet }));
  }
  const inc = parseHistogramLiteral(m[3]!);
  const out: Slot[] = [{ kind: 'histogram', h: base.h, hintSet: inc.hintSet }];
  let cur = base.h;
  for (let k = 1; k <= n; k++) {
    if (cur.schema > inc.h.schema) throw new Error(`error combining histograms: cannot merge from schema ${inc.h.schema} to ${cur.schema}`);
    cur = (m[2] === '+' ? cur.add(inc.h) : cur.sub(inc.h)).h;
    out.push({ kind: 'histogram', h: cur, hintSet: inc.hintSet });
  }
  return out;
}

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
      out.push(...expandHistogramItem(item));
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
