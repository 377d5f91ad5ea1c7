import { parseDuration } from '@vigil/core';
import type { Labels } from '@vigil/core';
import { parseSeriesLine, readString, type Slot } from './series-line.ts';

/** A `load` block: series keyed by label set (a repeated set replaces the earlier line). */
export interface LoadCmd {
  kind: 'load';
  line: number;
  interval: number;
  nhcb: boolean;
  series: { labels: Labels; slots: Slot[] }[];
  /** The block had `@st` (start timestamp) lines (FORMAT.md §2.3). */
  startTimestamps?: boolean;
}

export interface ClearCmd {
  kind: 'clear';
  line: number;
}

/** An expectation on annotations or failure: `msg` is exact, `regex` an unanchored search. */
export interface Expectation {
  msg?: string;
  regex?: string;
}

export interface ExpectedSeries {
  labels: Labels;
  slots: Slot[];
  /** 1-based position among result lines (for `ordered`). */
  pos: number;
}

export interface EvalCmd {
  kind: 'eval';
  line: number;
  query: string;
  instant: boolean;
  /** Instant: evaluation time; range: start. ms. */
  start: number;
  end: number;
  step: number;
  fail?: Expectation;
  warn: Expectation[];
  info: Expectation[];
  /** A legacy eval_warn / eval_info: at least one annotation of the kind. */
  anyWarn: boolean;
  anyInfo: boolean;
  noWarn: boolean;
  noInfo: boolean;
  ordered: boolean;
  scalar?: number;
  string?: string;
  rangeVector?: { start: number; end: number; step: number };
  expected: ExpectedSeries[];
  /** The raw block text, for listing. */
  text: string;
}

export type Command = LoadCmd | ClearCmd | EvalCmd;

/** Thrown for a script the runner cannot read; carries the 1-based line. */
export class ScriptError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const INSTANT_RE = /^eval(?:_(fail|warn|info|ordered))?\s+instant\s+at\s+(\S+)\s+(.+)$/i;
const RANGE_RE = /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+)\s+(.+)$/i;
const BARE_NUMBER_RE = /^[+-]?(?:0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF]|[nN][aA][nN])$/;

/** Go's strconv.ParseInt(s, 0, 64) then ParseFloat, as the upstream runner parses a bare scalar. */
function parseBareNumber(s: string): number {
  const neg = s.startsWith('-');
  const body = s.replace(/^[+-]/, '');
  let v: number;
  if (/^0[xX]/.test(body)) v = parseInt(body.slice(2), 16);
  else if (/^0[bB]/.test(body)) v = parseInt(body.slice(2), 2);
  else if (/^0[oO]/.test(body)) v = parseInt(body.slice(2), 8);
  else if (/^0[0-7]+$/.test(body)) v = parseInt(body.slice(1), 8);
  else if (/^inf$/i.test(body)) v = Infinity;
  else if (/^nan$/i.test(body)) v = NaN;
  else v = Number(body);
  return neg ? -v : v;
}

function parseExpectation(rest: string): Expectation {
  const r = rest.trim();
  if (r.startsWith('msg:')) return { msg: r.slice(4).trim() };
  if (r.startsWith('regex:')) return { regex: r.slice(6).trim() };
  if (r !== '') throw new Error(`invalid expectation: ${rest}`);
  return {};
}

/** Parses a whole `.test` script following FORMAT.md §1-§4. */
export function parseScript(text: string): Command[] {
  const lines = text.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
  const cmds: Command[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l === '') {
      i++;
      continue;
    }
    const word = l.split(/\s+/)[0]!.toLowerCase();
    const lineNo = i + 1;
    if (word === 'clear') {
      cmds.push({ kind: 'clear', line: lineNo });
      i++;
    } else if (word.startsWith('load')) {
      const parts = l.split(/\s+/);
      if (parts.length !== 2) throw new ScriptError(lineNo, 'invalid load command');
      const cmd: LoadCmd = { kind: 'load', line: lineNo, interval: parseDuration(parts[1]!), nhcb: word === 'load_with_nhcb', series: [] };
      const byKey = new Map<string, number>();
      i++;
      while (i < lines.length && lines[i] !== '') {
        const sl = lines[i]!;
        // @st lines give start timestamps for the next line (a 3.x feature behind the
        // use-start-timestamps flag); they are not modelled, only noted for classification.
        if (/^\S*@st\s/.test(sl)) {
          cmd.startTimestamps = true;
          i++;
          continue;
        }
        try {
          const s = parseSeriesLine(sl);
          const key = JSON.stringify(s.labels);
          const at = byKey.get(key);
          if (at === undefined) {
            byKey.set(key, cmd.series.length);
            cmd.series.push(s);
          } else cmd.series[at] = s;
        } catch (e) {
          throw new ScriptError(i + 1, (e as Error).message);
        }
        i++;
      }
      cmds.push(cmd);
    } else if (word.startsWith('eval')) {
      const cmd = parseEvalHeader(l, lineNo);
      i++;
      const body: string[] = [l];
      const byKey = new Map<string, number>();
      let pos = 0;
      while (i < lines.length && lines[i] !== '') {
        const bl = lines[i]!;
        body.push(bl);
        i++;
        try {
          if (bl.startsWith('expected_fail_message')) {
            cmd.fail = { msg: bl.slice('expected_fail_message'.length).trim() };
            break;
          }
          if (bl.startsWith('expected_fail_regexp')) {
            cmd.fail = { regex: bl.slice('expected_fail_regexp'.length).trim() };
            break;
          }
          const rv = /^expect\s+range\s+vector\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+)$/.exec(bl);
          if (rv) {
            cmd.rangeVector = { start: parseDuration(rv[1]!), end: parseDuration(rv[2]!), step: parseDuration(rv[3]!) };
            cmd.start = cmd.end = cmd.rangeVector.end;
            pos++;
            continue;
          }
          const sm = /^expect\s+string\s+(.*)$/.exec(bl);
          if (sm) {
            cmd.string = readString(sm[1]!.trim(), 0)[0];
            pos++;
            continue;
          }
          if (bl.split(/\s+/)[0] === 'expect') {
            const m = /^expect\s+(\S+)\s*(.*)$/.exec(bl)!;
            const e = parseExpectation(m[2]!);
            switch (m[1]) {
              case 'fail':
                cmd.fail = e;
                break;
              case 'warn':
                cmd.warn.push(e);
                break;
              case 'info':
                cmd.info.push(e);
                break;
              case 'no_warn':
                cmd.noWarn = true;
                break;
              case 'no_info':
                cmd.noInfo = true;
                break;
              case 'ordered':
                cmd.ordered = true;
                break;
              default:
                throw new Error(`invalid expect kind ${m[1]}`);
            }
            continue;
          }
          if (BARE_NUMBER_RE.test(bl)) {
            cmd.scalar = parseBareNumber(bl);
            break;
          }
          const s = parseSeriesLine(bl);
          pos++;
          if (cmd.instant && !cmd.rangeVector && s.slots.length !== 1) throw new Error('expected exactly one value for an instant query');
          const key = JSON.stringify(s.labels);
          const at = byKey.get(key);
          if (at === undefined) {
            byKey.set(key, cmd.expected.length);
            cmd.expected.push({ ...s, pos });
          } else cmd.expected[at] = { ...s, pos };
        } catch (e) {
          throw new ScriptError(i, (e as Error).message);
        }
      }
      cmd.text = body.join('\n');
      cmds.push(cmd);
    } else {
      throw new ScriptError(lineNo, `invalid command ${JSON.stringify(word)}`);
    }
  }
  return cmds;
}

function parseEvalHeader(l: string, lineNo: number): EvalCmd {
  const base = { kind: 'eval' as const, line: lineNo, warn: [], info: [], anyWarn: false, anyInfo: false, noWarn: false, noInfo: false, ordered: false, expected: [], text: '' };
  let m = INSTANT_RE.exec(l);
  let cmd: EvalCmd;
  let legacy: string | undefined;
  if (m) {
    const t = parseDuration(m[2]!);
    cmd = { ...base, query: m[3]!, instant: true, start: t, end: t, step: 0 };
    legacy = m[1];
  } else if ((m = RANGE_RE.exec(l))) {
    cmd = { ...base, query: m[5]!, instant: false, start: parseDuration(m[2]!), end: parseDuration(m[3]!), step: parseDuration(m[4]!) };
    legacy = m[1];
    if (cmd.end < cmd.start) throw new ScriptError(lineNo, 'invalid range: end before start');
  } else throw new ScriptError(lineNo, `invalid eval command: ${l}`);
  switch (legacy?.toLowerCase()) {
    case 'fail':
      cmd.fail = {};
      break;
    case 'warn':
      cmd.anyWarn = true;
      break;
    case 'info':
      cmd.anyInfo = true;
      break;
    case 'ordered':
      cmd.ordered = true;
      break;
  }
  return cmd;
}
