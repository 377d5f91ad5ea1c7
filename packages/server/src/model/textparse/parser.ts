import type { Label } from '@vigil/core';
import { formatOpenMetricsFloat } from './format-float.ts';

/** One parsed sample. `labels` include `__name__` and are sorted. */
export interface ParsedSample {
  labels: Label[];
  value: number;
  /** Explicit timestamp in ms, or undefined when the exposition had none. */
  timestamp: number | undefined;
}

export interface MetricMetadata {
  type: string;
  help: string;
  unit: string;
}

export interface ParseResult {
  samples: ParsedSample[];
  /** Metadata by metric family name. */
  metadata: Map<string, MetricMetadata>;
}

/** A malformed exposition: names the byte offset and line of the problem. */
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

/** Parses a sample value; undefined when it is not a number Prometheus accepts. */
function parseValue(s: string): number | undefined {
  switch (s) {
    case 'NaN':
    case 'nan':
      return NaN;
    case '+Inf':
    case 'Inf':
    case '+inf':
    case 'inf':
      return Infinity;
    case '-Inf':
    case '-inf':
      return -Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

/**
 * Parses the Prometheus text format 0.0.4 or OpenMetrics 1.0 (`openMetrics`
 * set from the response's Content-Type) in one pass over the text.
 * Throws {@link ExpositionParseError} on the first malformed line: a scrape
 * is all or nothing, as in Prometheus.
 */
export function parseExposition(text: string, openMetrics: boolean): ParseResult {
  const samples: ParsedSample[] = [];
  const metadata = new Map<string, MetricMetadata>();
  const meta = (name: string) => {
    let m = metadata.get(name);
    if (!m) metadata.set(name, (m = { type: 'unknown', help: '', unit: '' }));
    return m;
  };
  let pos = 0;
  let lineNo = 0;
  let sawEOF = false;
  const n = text.length;
  while (pos < n) {
    lineNo++;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    const lineStart = pos;
    const line = text.slice(pos, end);
    pos = end + 1;
    const fail = (msg: string, col = 0): never => {
      throw new ExpositionParseError(msg, Buffer.byteLength(text.slice(0, lineStart + col)), lineNo);
    };
    if (sawEOF) fail('unexpected data after # EOF');
    if (line === '' || (!openMetrics && /^\s*$/.test(line))) {
      if (openMetrics && end < n) fail('unexpected empty line');
      continue;
    }
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE|UNIT)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (line === '# EOF') {
        if (!openMetrics) continue;
        sawEOF = true;
        continue;
      }
      if (!m) {
        if (openMetrics) fail('invalid comment line');
        continue;
      }
      const [, kind, name, rest = ''] = m;
      if (kind === 'HELP') meta(name!).help = unescapeHelp(rest);
      else if (kind === 'TYPE') {
        const t = rest.trim().toLowerCase();
        if (!TYPES.has(t)) fail(`invalid metric type ${JSON.stringify(rest.trim())}`);
        meta(name!).type = t === 'untyped' ? 'unknown' : t;
      } else meta(name!).unit = rest.trim();
      continue;
    }
    // Sample line: name[{labels}] value [timestamp] [# exemplar]
    let i = 0;
    let name = '';
    const labels: Label[] = [];
    if (line[0] === '{') {
      // Quoted UTF-8 metric name inside braces: {"my.metric", a="b"}
    } else {
      while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i]!)) i++;
      name = line.slice(0, i);
      if (!name || /^[0-9]/.test(name)) fail(`invalid metric name ${JSON.stringify(line.slice(0, Math.max(i, 1)))}`);
    }
    if (line[i] === '{') {
      i++;
      for (;;) {
        while (line[i] === ' ' || line[i] === '\t') i++;
        if (line[i] === '}') {
          i++;
          break;
        }
        let lname: string;
        if (line[i] === '"') {
          const r = readQuoted(line, i);
          if (!r) fail('unterminated quoted label name', i);
          lname = r!.value;
          i = r!.end;
        } else {
          const st = i;
          while (i < line.length && /[a-zA-Z0-9_]/.test(line[i]!)) i++;
          lname = line.slice(st, i);
          if (!lname) fail(`expected label name, got ${JSON.stringify(line.slice(st, st + 10))}`, st);
        }
        while (line[i] === ' ') i++;
        if (line[i] !== '=') {
          // OpenMetrics/3.x allow a bare quoted metric name as the first entry.
          if (!name && (line[i] === ',' || line[i] === '}')) {
            name = lname;
            if (line[i] === ',') i++;
            continue;
          }
          fail(`expected '=' after label name ${JSON.stringify(lname)}`, i);
        }
        i++;
        while (line[i] === ' ') i++;
        if (line[i] !== '"') fail(`expected '"' to start the value of label ${JSON.stringify(lname)}`, i);
        const r = readQuoted(line, i);
        if (!r) fail(`unterminated label value for ${JSON.stringify(lname)}`, i);
        i = r!.end;
        if (labels.some((l) => l.name === lname)) fail(`duplicate label name ${JSON.stringify(lname)}`, i);
        labels.push({ name: lname, value: r!.value });
        while (line[i] === ' ') i++;
        if (line[i] === ',') {
          i++;
          continue;
        }
        if (line[i] === '}') {
          i++;
          break;
        }
        fail(`expected ',' or '}' after label ${JSON.stringify(lname)}`, i);
      }
    }
    if (line[i] !== ' ' && line[i] !== '\t') fail('expected a space before the value', i);
    while (line[i] === ' ' || line[i] === '\t') i++;
    let j = i;
    while (j < line.length && line[j] !== ' ' && line[j] !== '\t') j++;
    const vs = line.slice(i, j);
    const parsed = parseValue(vs);
    if (parsed === undefined) fail(`invalid value ${JSON.stringify(vs)}`, i);
    const value = parsed!;
    while (line[j] === ' ' || line[j] === '\t') j++;
    let timestamp: number | undefined;
    if (j < line.length && line[j] !== '#') {
      let k = j;
      while (k < line.length && line[k] !== ' ' && line[k] !== '\t') k++;
      const ts = line.slice(j, k);
      if (openMetrics) {
        const f = Number(ts);
        if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(ts) || !Number.isFinite(f)) fail(`invalid timestamp ${JSON.stringify(ts)}`, j);
        timestamp = Math.round(f * 1000);
      } else {
        if (!/^-?\d+$/.test(ts)) fail(`invalid timestamp ${JSON.stringify(ts)}`, j);
        timestamp = Number(ts);
      }
      j = k;
      while (line[j] === ' ' || line[j] === '\t') j++;
    }
    if (j < line.length && !(openMetrics && line[j] === '#')) fail(`unexpected text after the sample: ${JSON.stringify(line.slice(j, j + 20))}`, j);
    // Prometheus 3 stores classic histogram `le` and summary `quantile` values canonically (1 → 1.0).
    const fam = familyOf(name, metadata);
    if (fam) {
      for (let k = 0; k < labels.length; k++) {
        const l = labels[k]!;
        if ((fam === 'histogram' || fam === 'gaugehistogram') && l.name === 'le' && name.endsWith('_bucket')) labels[k] = { name: 'le', value: normalizeFloat(l.value) };
        if (fam === 'summary' && l.name === 'quantile') labels[k] = { name: 'quantile', value: normalizeFloat(l.value) };
      }
    }
    labels.push({ name: '__name__', value: name });
    labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    samples.push({ labels, value, timestamp });
  }
  if (openMetrics && !sawEOF) {
    throw new ExpositionParseError('missing # EOF at the end of an OpenMetrics exposition', Buffer.byteLength(text), lineNo);
  }
  return { samples, metadata };
}

function familyOf(name: string, md: Map<string, MetricMetadata>): string | undefined {
  const direct = md.get(name);
  if (direct && direct.type !== 'unknown') return direct.type;
  for (const suffix of ['_bucket', '_count', '_sum', '_total', '_created', '_gcount', '_gsum', '_info']) {
    if (name.endsWith(suffix)) {
      const t = md.get(name.slice(0, -suffix.length));
      if (t) return t.type;
    }
  }
  return undefined;
}

function normalizeFloat(v: string): string {
  const f = parseValue(v);
  return f === undefined ? v : formatOpenMetricsFloat(f);
}

function readQuoted(line: string, start: number): { value: string; end: number } | undefined {
  let out = '';
  let i = start + 1;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\') {
      const d = line[i + 1];
      if (d === 'n') out += '\n';
      else if (d === '\\') out += '\\';
      else if (d === '"') out += '"';
      else out += '\\' + (d ?? '');
      i += 2;
      continue;
    }
    if (c === '"') return { value: out, end: i + 1 };
    out += c;
    i++;
  }
  return undefined;
}

function unescapeHelp(s: string): string {
  return s.replace(/\\(n|\\|")/g, (_, c: string) => (c === 'n' ? '\n' : c));
}
