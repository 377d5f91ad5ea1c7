import type { Label } from '@vigil/core';
import { formatOpenMetricsFloat } from './format-float.ts';

/** One parsed sample. `labels` include `__name__` and are sorted. */
export interface ParsedSample {
  /**
   * The sample's series as written in the body (metric name and label
   * braces, without value): identical text means identical labels, so
   * callers can cache per-series work keyed by it (as Prometheus's scrape cache does).
   */
  series: string;
  labels: Label[];
  value: number;
  /** Explicit timestamp in ms, or undefined when the exposition had none. */
  timestamp: number | undefined;
}

/** `# TYPE`, `# HELP` and `# UNIT` of one metric family; empty strings when absent, type `unknown` when untyped. */
export interface MetricMetadata {
  type: string;
  help: string;
  unit: string;
}

/**
 * One exposition in column form: sample k is `series[k]`, `labels[k]`,
 * `values[k]`, `timestamps[k]`. Values stay unboxed doubles all the way to
 * the appender (a double in an object field costs a heap allocation per
 * sample in V8, and a scrape handles millions of them).
 */
export interface ParsedColumns {
  length: number;
  series: string[];
  labels: Label[][];
  values: Float64Array;
  /** Explicit timestamps in ms; NaN where the exposition had none. */
  timestamps: Float64Array;
  /** Metadata by metric family name. */
  metadata: Map<string, MetricMetadata>;
}

/** Everything one exposition yielded. */
export interface ParseResult {
  samples: ParsedSample[];
  /** Metadata by metric family name. */
  metadata: Map<string, MetricMetadata>;
}

/** A malformed exposition: names the byte offset (of the UTF-8 body) and 1-based line of the problem. */
export class ExpositionParseError extends Error {
  constructor(
    readonly detail: string,
    readonly offset: number,
    readonly line: number,
  ) {
    super(`${detail} at line ${line}, byte offset ${offset}`);
    this.name = 'ExpositionParseError';
  }
}

const TYPES = new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown', 'untyped']);
const FAMILY_SUFFIXES = ['_bucket', '_count', '_sum', '_total', '_created', '_gcount', '_gsum', '_info'];

const SPACE = 0x20;
const TAB = 0x09;
const NL = 0x0a;
const HASH = 0x23;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const COMMA = 0x2c;
const EQUALS = 0x3d;

function isNameChar(c: number, colon: boolean): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || (colon && c === 0x3a);
}

// Characters a decimal float may contain; anything else goes to the slow path (Inf/NaN) or fails.
function isFloatChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2b || c === 0x2d || c === 0x65 || c === 0x45;
}

/** Exact powers of ten (10^22 is the largest a double holds exactly). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The value of `text[start, end)` when it is a plain decimal (`-`?, digits,
 * optional `.` and digits, at most 15 digits in all), read without making a
 * string; undefined for anything else (exponents, Inf/NaN, long numbers,
 * malformed text), which {@link parseValue} then handles. The result equals
 * `Number()` of the text: the digits form an integer below 2^53 and the
 * divisor an exact power of ten, so the one division rounds correctly.
 */
function decimalAt(text: string, start: number, end: number): number | undefined {
  let i = start;
  const neg = text.charCodeAt(i) === 0x2d;
  if (neg) i++;
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      m = m * 10 + (c - 0x30);
      digits++;
    } else if (c === 0x2e && frac < 0) frac = digits;
    else return undefined;
  }
  if (digits === 0 || digits > 15) return undefined;
  const v = frac < 0 ? m : m / POW10[digits - frac]!;
  return neg ? -v : v;
}

/** Parses a sample value like Go's ParseFloat for the forms expositions use; undefined when invalid. */
function parseValue(s: string): number | undefined {
  if (s.length === 0) return undefined;
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    if (!isFloatChar(s.charCodeAt(i))) {
      plain = false;
      break;
    }
  }
  if (plain) {
    const f = Number(s);
    return f === f ? f : undefined;
  }
  switch (s.toLowerCase()) {
    case 'nan':
      return NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
  }
  return undefined;
}

/**
 * Parses the Prometheus text format 0.0.4 or OpenMetrics 1.0 (`openMetrics`
 * set from the response's Content-Type) in one pass over the text, with
 * character-code scanning on sample lines (regexes only on comment lines).
 * Exemplars are skipped. Prometheus 3 semantics: classic histogram `le` and
 * summary `quantile` values are stored in canonical float form (`1` → `1.0`).
 * Throws {@link ExpositionParseError} on the first malformed line: a scrape
 * is all or nothing, as in Prometheus.
 */
export function parseExposition(text: string, openMetrics: boolean, options: ParseOptions = {}): ParseResult {
  const c = parseExpositionColumns(text, openMetrics, options);
  const samples = new Array<ParsedSample>(c.length);
  for (let k = 0; k < c.length; k++) {
    const ts = c.timestamps[k]!;
    samples[k] = { series: c.series[k]!, labels: c.labels[k]!, value: c.values[k]!, timestamp: ts === ts ? ts : undefined };
  }
  return { samples, metadata: c.metadata };
}

/** {@link parseExposition} in column form (see {@link ParsedColumns}); the scrape loop's entry point. */
export function parseExpositionColumns(text: string, openMetrics: boolean, options: ParseOptions = {}): ParsedColumns {
  return new Parser(text, openMetrics, options.isKnownSeries, options.previousSeries).parse();
}

/** Tuning for callers that parse the same target repeatedly. */
export interface ParseOptions {
  /**
   * Called with each sample's series text; when it returns true the labels
   * are not decoded (`labels` is empty) because the caller has them cached
   * from an earlier body where the same text parsed cleanly.
   */
  isKnownSeries?: (series: string) => boolean;
  /**
   * The `series` texts of the caller's previous parse of the same target,
   * in sample order; all must be known to the caller (as for
   * `isKnownSeries`). Expositions keep their layout from scrape to scrape,
   * so sample k is first compared in place with entry k: when its line
   * starts with that text followed by a blank, the sample gets that very
   * string as `series` (callers can match it by identity), no label
   * decoding and no lookup. Otherwise `isKnownSeries` decides.
   */
  previousSeries?: readonly string[];
}

/** Shared by every sample whose labels were not decoded; frozen so no caller can fill it. */
const NO_LABELS = Object.freeze([]) as unknown as Label[];

class Parser {
  private n = 0;
  // Sized for the previous body's samples when there is one (filled by index,
  // cut to length at the end), so a repeated scrape grows no arrays.
  private readonly series: string[];
  private readonly labels: Label[][];
  // Sized for a typical line length; doubled when full.
  private values: Float64Array;
  private timestamps: Float64Array;
  private readonly metadata = new Map<string, MetricMetadata>();
  private lineNo = 0;
  private lineStart = 0;
  // The family of the previous sample name: consecutive samples nearly always share it.
  private lastName = '';
  private lastFamily: string | undefined;

  constructor(
    private readonly text: string,
    private readonly openMetrics: boolean,
    private readonly isKnown: ((series: string) => boolean) | undefined,
    private readonly previous: readonly string[] | undefined,
  ) {
    const hint = previous?.length ?? 0;
    this.series = hint > 0 ? new Array<string>(hint) : [];
    this.labels = hint > 0 ? new Array<Label[]>(hint) : [];
    const cap = Math.max(64, hint, text.length >> 6);
    this.values = new Float64Array(cap);
    this.timestamps = new Float64Array(cap);
  }

  parse(): ParsedColumns {
    const { text, openMetrics } = this;
    const n = text.length;
    let pos = 0;
    let sawEOF = false;
    while (pos < n) {
      this.lineNo++;
      this.lineStart = pos;
      let end = text.indexOf('\n', pos);
      if (end < 0) end = n;
      if (sawEOF) this.fail('unexpected data after # EOF');
      const c = text.charCodeAt(pos);
      if (pos === end) {
        if (openMetrics && end < n) this.fail('unexpected empty line');
      } else if (c === HASH) {
        if (this.comment(text.slice(pos, end))) sawEOF = true;
      } else if (!openMetrics && (c === SPACE || c === TAB) && text.slice(pos, end).trim() === '') {
        // Blank lines with whitespace are allowed in the text format.
      } else {
        this.sample(pos, end);
      }
      pos = end + 1;
    }
    if (openMetrics && !sawEOF) {
      throw new ExpositionParseError('missing # EOF at the end of an OpenMetrics exposition', Buffer.byteLength(text), this.lineNo);
    }
    const { series, labels, metadata } = this;
    const count = this.n;
    series.length = count;
    labels.length = count;
    return { length: count, series, labels, values: this.values.subarray(0, count), timestamps: this.timestamps.subarray(0, count), metadata };
  }

  /** Throws for the current line; `at` is an absolute string index (default: line start). */
  private fail(msg: string, at = this.lineStart): never {
    throw new ExpositionParseError(msg, Buffer.byteLength(this.text.slice(0, at)), this.lineNo);
  }

  private meta(name: string): MetricMetadata {
    let m = this.metadata.get(name);
    if (!m) this.metadata.set(name, (m = { type: 'unknown', help: '', unit: '' }));
    return m;
  }

  /** Handles a `#` line; returns true for `# EOF` in OpenMetrics. */
  private comment(line: string): boolean {
    if (line === '# EOF') return this.openMetrics;
    const m = /^#\s+(HELP|TYPE|UNIT)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (!m) {
      if (this.openMetrics) this.fail('invalid comment line');
      return false;
    }
    const [, kind, name, rest = ''] = m as unknown as [string, string, string, string | undefined];
    if (kind === 'HELP') this.meta(name).help = rest.replace(/\\(n|\\|")/g, (_, ch: string) => (ch === 'n' ? '\n' : ch));
    else if (kind === 'TYPE') {
      const t = rest.trim().toLowerCase();
      if (!TYPES.has(t)) this.fail(`invalid metric type ${JSON.stringify(rest.trim())}`);
      this.meta(name).type = t === 'untyped' ? 'unknown' : t;
    } else this.meta(name).unit = rest.trim();
    this.lastName = '';
    return false;
  }

  /** Parses `name[{labels}] value [timestamp] [# exemplar]` between `start` and `end` (exclusive). */
  private sample(start: number, end: number): void {
    const text = this.text;
    let i = start;
    const prev = this.previous?.[this.n];
    if (prev !== undefined && start + prev.length < end) {
      // The previous body's series at this position: it parsed cleanly there, so only the value follows.
      // (A slice compared with === costs a tenth of startsWith(prev, start) or a charCodeAt loop in V8.)
      const c = text.charCodeAt(start + prev.length);
      if ((c === SPACE || c === TAB) && text.slice(start, start + prev.length) === prev) {
        this.finishSample(start + prev.length, end, prev, NO_LABELS);
        return;
      }
    }
    let name = '';
    if (text.charCodeAt(i) !== LBRACE) {
      while (i < end && isNameChar(text.charCodeAt(i), true)) i++;
      name = text.slice(start, i);
      const c0 = text.charCodeAt(start);
      if (!name || (c0 >= 0x30 && c0 <= 0x39)) this.fail(`invalid metric name ${JSON.stringify(text.slice(start, Math.max(i, start + 1)))}`);
    }
    let labels: Label[] = NO_LABELS;
    let canonical = false;
    let known = false;
    let series: string | undefined;
    if (this.isKnown) {
      const close = text.charCodeAt(i) === LBRACE ? skipBraces(text, i, end) : i;
      if (close > 0 && this.isKnown((series = text.slice(start, close)))) {
        known = true;
        i = close;
      }
    }
    if (!known) labels = [];
    if (!known && text.charCodeAt(i) === LBRACE) {
      i++;
      for (;;) {
        while (i < end && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
        if (i < end && text.charCodeAt(i) === RBRACE) {
          i++;
          break;
        }
        let lname: string;
        if (text.charCodeAt(i) === QUOTE) {
          const r = this.quoted(i, end);
          if (r === undefined) this.fail('unterminated quoted label name', i);
          lname = r;
          i = this.quotedEnd;
        } else {
          const st = i;
          while (i < end && isNameChar(text.charCodeAt(i), false)) i++;
          lname = text.slice(st, i);
          if (!lname) this.fail(`expected label name, got ${JSON.stringify(text.slice(st, Math.min(st + 10, end)))}`, st);
        }
        while (text.charCodeAt(i) === SPACE && i < end) i++;
        if (i >= end || text.charCodeAt(i) !== EQUALS) {
          // OpenMetrics 2 / Prometheus 3 allow a bare quoted metric name as the first entry.
          const c = text.charCodeAt(i);
          if (!name && i < end && (c === COMMA || c === RBRACE)) {
            name = lname;
            if (c === COMMA) i++;
            continue;
          }
          this.fail(`expected '=' after label name ${JSON.stringify(lname)}`, i);
        }
        i++;
        while (text.charCodeAt(i) === SPACE && i < end) i++;
        if (i >= end || text.charCodeAt(i) !== QUOTE) this.fail(`expected '"' to start the value of label ${JSON.stringify(lname)}`, i);
        const value = this.quoted(i, end);
        if (value === undefined) this.fail(`unterminated label value for ${JSON.stringify(lname)}`, i);
        i = this.quotedEnd;
        for (let k = 0; k < labels.length; k++) if (labels[k]!.name === lname) this.fail(`duplicate label name ${JSON.stringify(lname)}`, i);
        if (lname === 'le' || lname === 'quantile') canonical = true;
        labels.push({ name: lname, value });
        while (text.charCodeAt(i) === SPACE && i < end) i++;
        const c = i < end ? text.charCodeAt(i) : -1;
        if (c === COMMA) {
          i++;
          continue;
        }
        if (c === RBRACE) {
          i++;
          break;
        }
        this.fail(`expected ',' or '}' after label ${JSON.stringify(lname)}`, i);
      }
    }
    if (!known) {
      if (canonical) this.canonicalize(name, labels);
      labels.push({ name: '__name__', value: name });
      insertionSort(labels);
    }
    if (series === undefined || series.length !== i - start) series = text.slice(start, i);
    this.finishSample(i, end, series, labels);
  }

  /** Reads ` value [timestamp] [# exemplar]` from `i` (just after the series text) to `end` and records the sample. */
  private finishSample(i: number, end: number, series: string, labels: Label[]): void {
    const text = this.text;
    let c = i < end ? text.charCodeAt(i) : -1;
    if (c !== SPACE && c !== TAB) this.fail('expected a space before the value', i);
    while (i < end && ((c = text.charCodeAt(i)) === SPACE || c === TAB)) i++;
    let j = i;
    while (j < end && (c = text.charCodeAt(j)) !== SPACE && c !== TAB) j++;
    let value = decimalAt(text, i, j);
    if (value === undefined) {
      const vs = text.slice(i, j);
      value = parseValue(vs);
      if (value === undefined) this.fail(`invalid value ${JSON.stringify(vs)}`, i);
    }
    while (j < end && ((c = text.charCodeAt(j)) === SPACE || c === TAB)) j++;
    let timestamp = NaN;
    if (j < end && text.charCodeAt(j) !== HASH) {
      let k = j;
      while (k < end && (c = text.charCodeAt(k)) !== SPACE && c !== TAB) k++;
      timestamp = this.timestamp(text.slice(j, k), j);
      j = k;
      while (j < end && ((c = text.charCodeAt(j)) === SPACE || c === TAB)) j++;
    }
    // Exemplars (`# {…} v [ts]`) are OpenMetrics only and are not stored.
    if (j < end && !(this.openMetrics && text.charCodeAt(j) === HASH)) {
      this.fail(`unexpected text after the sample: ${JSON.stringify(text.slice(j, Math.min(j + 20, end)))}`, j);
    }
    const n = this.n;
    if (n === this.values.length) {
      const values = new Float64Array(n * 2);
      values.set(this.values);
      this.values = values;
      const timestamps = new Float64Array(n * 2);
      timestamps.set(this.timestamps);
      this.timestamps = timestamps;
    }
    this.values[n] = value;
    this.timestamps[n] = timestamp;
    this.series[n] = series;
    this.labels[n] = labels;
    this.n = n + 1;
  }

  private timestamp(ts: string, at: number): number {
    if (this.openMetrics) {
      // OpenMetrics timestamps are float seconds.
      const f = parseValue(ts);
      if (f === undefined || !Number.isFinite(f)) this.fail(`invalid timestamp ${JSON.stringify(ts)}`, at);
      return Math.round(f * 1000);
    }
    let ok = ts.length > 0;
    for (let k = ts.charCodeAt(0) === 0x2d ? 1 : 0; ok && k < ts.length; k++) {
      const d = ts.charCodeAt(k);
      ok = d >= 0x30 && d <= 0x39;
    }
    if (!ok || ts === '-') this.fail(`invalid timestamp ${JSON.stringify(ts)}`, at);
    return Number(ts);
  }

  // Prometheus 3 stores classic histogram `le` and summary `quantile` values canonically (1 → 1.0).
  private canonicalize(name: string, labels: Label[]): void {
    const fam = this.familyOf(name);
    if (!fam) return;
    for (let k = 0; k < labels.length; k++) {
      const l = labels[k]!;
      if (l.name === 'le' && (fam === 'histogram' || fam === 'gaugehistogram') && name.endsWith('_bucket')) labels[k] = { name: 'le', value: this.normalizeFloat(l.value) };
      else if (l.name === 'quantile' && fam === 'summary') labels[k] = { name: 'quantile', value: this.normalizeFloat(l.value) };
    }
  }

  // Bucket bounds repeat across every series of a histogram: format each once per body.
  private readonly canonicalFloats = new Map<string, string>();

  private normalizeFloat(v: string): string {
    let out = this.canonicalFloats.get(v);
    if (out === undefined) {
      const f = parseValue(v);
      out = f === undefined ? v : formatOpenMetricsFloat(f);
      this.canonicalFloats.set(v, out);
    }
    return out;
  }

  private familyOf(name: string): string | undefined {
    if (name === this.lastName) return this.lastFamily;
    let fam: string | undefined;
    const direct = this.metadata.get(name);
    if (direct && direct.type !== 'unknown') fam = direct.type;
    else {
      for (const suffix of FAMILY_SUFFIXES) {
        if (name.endsWith(suffix)) {
          const t = this.metadata.get(name.slice(0, -suffix.length));
          if (t) {
            fam = t.type;
            break;
          }
        }
      }
    }
    this.lastName = name;
    this.lastFamily = fam;
    return fam;
  }

  /** End index (after the closing quote) of the last {@link quoted} call. */
  private quotedEnd = 0;

  /** Reads a double-quoted string starting at `start` with `\\`, `\"`, `\n` escapes; undefined when unterminated before `end`. */
  private quoted(start: number, end: number): string | undefined {
    const text = this.text;
    // Fast path: scan to the closing quote; no escape seen means one slice.
    let p = start + 1;
    let c = 0;
    while (p < end && (c = text.charCodeAt(p)) !== QUOTE && c !== BACKSLASH) p++;
    if (p >= end) return undefined;
    if (c === QUOTE) {
      this.quotedEnd = p + 1;
      return text.slice(start + 1, p);
    }
    let out = '';
    let i = start + 1;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH) {
        const d = text[i + 1];
        if (d === 'n') out += '\n';
        else if (d === '\\') out += '\\';
        else if (d === '"') out += '"';
        else out += '\\' + (d ?? '');
        i += 2;
        continue;
      }
      if (c === QUOTE) {
        this.quotedEnd = i + 1;
        return out;
      }
      if (c === NL) return undefined;
      out += text[i];
      i++;
    }
    return undefined;
  }
}

/** Index just past the `}` closing the label block opened at `open`, honouring quotes and escapes; -1 when unterminated. */
function skipBraces(text: string, open: number, end: number): number {
  let inQuote = false;
  for (let i = open + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (inQuote) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inQuote = false;
    } else if (c === QUOTE) inQuote = true;
    else if (c === RBRACE) return i + 1;
  }
  return -1;
}

// Label lists are short and usually already sorted in an exposition.
function insertionSort(ls: Label[]): void {
  for (let i = 1; i < ls.length; i++) {
    const x = ls[i]!;
    let j = i - 1;
    while (j >= 0 && ls[j]!.name > x.name) {
      ls[j + 1] = ls[j]!;
      j--;
    }
    ls[j + 1] = x;
  }
}


