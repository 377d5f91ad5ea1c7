import { PromQLParseError } from '../errors.ts';

export type TokenType =
  | 'ident'
  | 'metric' // identifier containing ':'
  | 'number'
  | 'duration'
  | 'string'
  | 'op'
  | 'lparen'
  | 'rparen'
  | 'lbrace'
  | 'rbrace'
  | 'lbracket'
  | 'rbracket'
  | 'comma'
  | 'colon'
  | 'at'
  | 'eof';

export interface Token {
  type: TokenType;
  text: string;
  pos: number;
  end: number;
  /** Decoded value of string tokens. */
  value?: string;
}

const DURATION = /^(\d+(y|w|d|h|ms|m|s))+/;
const NUMBER = /^(0[xX][0-9a-fA-F]+|(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[iI][nN][fF]|[nN][aA][nN])/;
// `</` and `>/` are the native-histogram trim operators.
const OPS = ['==', '!=', '>=', '<=', '</', '>/', '=~', '!~', '+', '-', '*', '/', '%', '^', '=', '>', '<'];

/** Line:col of a byte offset, as Prometheus prefixes parse errors (`1:5: parse error: …`). */
export function lineCol(input: string, pos: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < input.length; i++) {
    if (input[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return `${line}:${col}`;
}

export function parseError(input: string, pos: number, end: number, msg: string): PromQLParseError {
  return new PromQLParseError(`${lineCol(input, pos)}: parse error: ${msg}`, { start: pos, end });
}

/** Splits a PromQL expression into tokens; comments (`# …`) are skipped. */
export function lex(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = input.length;
  // Inside braces identifiers are label names and keywords lose meaning; durations only inside [].
  let bracketDepth = 0;
  while (i < n) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && input[i] !== '\n') i++;
      continue;
    }
    const start = i;
    const single: Record<string, TokenType> = { '(': 'lparen', ')': 'rparen', '{': 'lbrace', '}': 'rbrace', '[': 'lbracket', ']': 'rbracket', ',': 'comma', '@': 'at' };
    if (single[c]) {
      if (c === '[') bracketDepth++;
      if (c === ']') bracketDepth--;
      out.push({ type: single[c]!, text: c, pos: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === ':') {
      out.push({ type: 'colon', text: c, pos: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const { value, end } = readString(input, i);
      out.push({ type: 'string', text: input.slice(i, end), pos: i, end, value });
      i = end;
      continue;
    }
    if (/[0-9.]/.test(c)) {
      const rest = input.slice(i);
      const d = DURATION.exec(rest);
      const num = NUMBER.exec(rest);
      if (d && (!num || d[0].length >= num[0].length) && !/^\d+(\.\d+)?[eE]/.test(rest)) {
        out.push({ type: 'duration', text: d[0], pos: i, end: i + d[0].length });
        i += d[0].length;
        continue;
      }
      if (num) {
        out.push({ type: 'number', text: num[0], pos: i, end: i + num[0].length });
        i += num[0].length;
        if (i < n && /[a-zA-Z_]/.test(input[i]!)) throw parseError(input, start, i + 1, `bad number or duration syntax: "${input.slice(start, i + 1)}"`);
        continue;
      }
      throw parseError(input, i, i + 1, `unexpected character: '${c}'`);
    }
    if (/[a-zA-Z_]/.test(c)) {
      let j = i;
      while (j < n && /[a-zA-Z0-9_:]/.test(input[j]!)) j++;
      const text = input.slice(i, j);
      // Inf/NaN are numbers unless they are followed by selector syntax.
      if (/^(inf|nan)$/i.test(text) && input[j] !== '{') {
        out.push({ type: 'number', text, pos: i, end: j });
      } else out.push({ type: text.includes(':') ? 'metric' : 'ident', text, pos: i, end: j });
      i = j;
      continue;
    }
    const op = OPS.find((o) => input.startsWith(o, i));
    if (op) {
      out.push({ type: 'op', text: op, pos: i, end: i + op.length });
      i += op.length;
      continue;
    }
    throw parseError(input, i, i + 1, `unexpected character: '${c === '\\' ? '\\\\' : c}'`);
  }
  void bracketDepth;
  out.push({ type: 'eof', text: '', pos: n, end: n });
  return out;
}

function readString(input: string, start: number): { value: string; end: number } {
  const q = input[start]!;
  let i = start + 1;
  let out = '';
  if (q === '`') {
    const end = input.indexOf('`', i);
    if (end < 0) throw parseError(input, start, input.length, 'unterminated raw string');
    return { value: input.slice(i, end), end: end + 1 };
  }
  while (i < input.length) {
    const c = input[i]!;
    if (c === '\\') {
      const d = input[i + 1];
      const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };
      if (d !== undefined && simple[d] !== undefined) {
        if ((d === "'" && q === '"') || (d === '"' && q === "'")) throw parseError(input, i, i + 2, 'unknown escape sequence');
        out += simple[d];
        i += 2;
        continue;
      }
      if (d === 'x' && /^[0-9a-fA-F]{2}/.test(input.slice(i + 2))) {
        out += String.fromCharCode(parseInt(input.slice(i + 2, i + 4), 16));
        i += 4;
        continue;
      }
      if (d === 'u' && /^[0-9a-fA-F]{4}/.test(input.slice(i + 2))) {
        out += String.fromCodePoint(parseInt(input.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      if (d === 'U' && /^[0-9a-fA-F]{8}/.test(input.slice(i + 2))) {
        out += String.fromCodePoint(parseInt(input.slice(i + 2, i + 10), 16));
        i += 10;
        continue;
      }
      if (d !== undefined && /[0-7]/.test(d) && /^[0-7]{3}/.test(input.slice(i + 1))) {
        out += String.fromCharCode(parseInt(input.slice(i + 1, i + 4), 8));
        i += 4;
        continue;
      }
      throw parseError(input, i, i + 2, 'unknown escape sequence');
    }
    if (c === q) return { value: out, end: i + 1 };
    if (c === '\n') break;
    out += c;
    i++;
  }
  throw parseError(input, start, input.length, 'unterminated quoted string');
}
