import { TemplateParseError } from './errors.ts';

/** Token kinds of a Go template, after Go's `text/template/parse/lex.go`. */
export type TokenKind =
  | 'text'
  | 'left' // {{
  | 'right' // }}
  | 'field' // .Name
  | 'dot' // .
  | 'variable' // $ or $name
  | 'identifier' // function name
  | 'keyword' // if, else, end, range, with, define, template, block, break, continue, nil, true, false
  | 'string'
  | 'number'
  | 'char'
  | 'bool'
  | 'nil'
  | 'pipe' // |
  | 'declare' // :=
  | 'assign' // =
  | 'comma'
  | 'lparen'
  | 'rparen'
  | 'eof';

/** One token; `val` is the raw text (strings still quoted), `pos` a byte offset into the source. */
export interface Token {
  readonly kind: TokenKind;
  readonly val: string;
  readonly pos: number;
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

/**
 * Splits template source into tokens. Trim markers (`{{- ` and ` -}}`) are
 * applied here, by cutting the whitespace off the neighbouring text, and
 * comments (`{{/* … *​/}}`) are dropped, as Go's lexer does.
 */
export function lex(name: string, src: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  let trimNext = false;
  const err = (pos: number, msg: string): never => {
    throw new TemplateParseError(name, lineOf(src, pos), msg);
  };
  while (i <= src.length) {
    let j = src.indexOf('{{', i);
    if (j < 0) j = src.length;
    let text = src.slice(i, j);
    let trimLeft = false;
    if (j < src.length && src[j + 2] === '-' && isSpace(src[j + 3])) trimLeft = true;
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    trimNext = false;
    if (text) toks.push({ kind: 'text', val: text, pos: i });
    if (j >= src.length) break;
    // Inside an action.
    let p = j + 2;
    if (trimLeft) p += 2;
    // Comments: {{/* ... */}} with optional trim markers.
    const afterSpace = p;
    if (src.startsWith('/*', afterSpace)) {
      const end = src.indexOf('*/', afterSpace + 2);
      if (end < 0) err(j, 'unclosed comment');
      let q = end + 2;
      let trimR = false;
      if (src.startsWith(' -}}', q) || src.startsWith('\t-}}', q) || src.startsWith('\n-}}', q)) {
        trimR = true;
        q += 4;
      } else if (src.startsWith('}}', q)) q += 2;
      else err(j, 'comment ends before closing delimiter');
      trimNext = trimR;
      i = q;
      continue;
    }
    toks.push({ kind: 'left', val: '{{', pos: j });
    let parenDepth = 0;
    for (;;) {
      if (p >= src.length) err(j, 'unclosed action');
      const c = src[p]!;
      if (isSpace(c)) {
        // " -}}" closes with a right trim.
        let q = p;
        while (q < src.length && isSpace(src[q])) q++;
        if (src.startsWith('-}}', q)) {
          toks.push({ kind: 'right', val: '}}', pos: q });
          trimNext = true;
          i = q + 3;
          break;
        }
        if (src[q] === '\n' || src.slice(p, q).includes('\n')) {
          // Newlines are allowed inside actions since Go 1.16; nothing to do.
        }
        p = q;
        continue;
      }
      if (src.startsWith('}}', p)) {
        if (parenDepth > 0) err(p, 'unclosed left paren');
        toks.push({ kind: 'right', val: '}}', pos: p });
        i = p + 2;
        break;
      }
      if (c === '|') {
        toks.push({ kind: 'pipe', val: c, pos: p++ });
      } else if (c === '(') {
        parenDepth++;
        toks.push({ kind: 'lparen', val: c, pos: p++ });
      } else if (c === ')') {
        parenDepth--;
        if (parenDepth < 0) err(p, `unexpected right paren`);
        toks.push({ kind: 'rparen', val: c, pos: p++ });
      } else if (c === ',') {
        toks.push({ kind: 'comma', val: c, pos: p++ });
      } else if (c === ':' && src[p + 1] === '=') {
        toks.push({ kind: 'declare', val: ':=', pos: p });
        p += 2;
      } else if (c === '=') {
        toks.push({ kind: 'assign', val: '=', pos: p++ });
      } else if (c === '"') {
        let q = p + 1;
        while (q < src.length && src[q] !== '"') {
          if (src[q] === '\\') q++;
          if (src[q] === '\n') err(p, 'unterminated quoted string');
          q++;
        }
        if (q >= src.length) err(p, 'unterminated quoted string');
        toks.push({ kind: 'string', val: src.slice(p, q + 1), pos: p });
        p = q + 1;
      } else if (c === '`') {
        const q = src.indexOf('`', p + 1);
        if (q < 0) err(p, 'unterminated raw quoted string');
        toks.push({ kind: 'string', val: src.slice(p, q + 1), pos: p });
        p = q + 1;
      } else if (c === "'") {
        let q = p + 1;
        while (q < src.length && src[q] !== "'") {
          if (src[q] === '\\') q++;
          q++;
        }
        if (q >= src.length) err(p, 'unterminated character constant');
        toks.push({ kind: 'char', val: src.slice(p, q + 1), pos: p });
        p = q + 1;
      } else if (c === '$') {
        const m = /^\$[A-Za-z0-9_]*/.exec(src.slice(p, p + 256))!;
        toks.push({ kind: 'variable', val: m[0], pos: p });
        p += m[0].length;
      } else if (c === '.' && !/[0-9]/.test(src[p + 1] ?? '')) {
        const m = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(p, p + 256));
        if (m) {
          toks.push({ kind: 'field', val: m[0], pos: p });
          p += m[0].length;
        } else {
          toks.push({ kind: 'dot', val: '.', pos: p++ });
        }
      } else if (/[0-9+\-.]/.test(c)) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?)i?/.exec(src.slice(p, p + 256));
        if (!m || m[0] === '+' || m[0] === '-') err(p, `bad character ${JSON.stringify(c)}`);
        toks.push({ kind: 'number', val: m![0], pos: p });
        p += m![0].length;
      } else if (/[A-Za-z_]/.test(c)) {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(p, p + 256))!;
        const w = m[0];
        const kind: TokenKind = KEYWORDS.has(w) ? 'keyword' : w === 'true' || w === 'false' ? 'bool' : w === 'nil' ? 'nil' : 'identifier';
        toks.push({ kind, val: w, pos: p });
        p += w.length;
      } else {
        err(p, `unexpected ${JSON.stringify(c)} in command`);
      }
    }
  }
  toks.push({ kind: 'eof', val: '', pos: src.length });
  return toks;
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/** 1-based line number of byte offset `pos`. */
export function lineOf(src: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < src.length; i++) if (src.charCodeAt(i) === 10) n++;
  return n;
}
