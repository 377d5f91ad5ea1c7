/**
 * Go RE2 syntax → JavaScript RegExp translation, fully anchored as
 * Prometheus and Alertmanager anchor label regexes (`^(?:re)$`).
 *
 * Prometheus 3.x compiles matcher regexes with `(?s)` semantics, so `.`
 * matches a newline. RE2 features JavaScript lacks (`(?i)` in the middle of
 * a pattern, POSIX classes, `\pL`, `\z`, `\Q…\E`) are rewritten; features RE2
 * rejects (backreferences, lookaround) are rejected here too so a pattern
 * that Prometheus refuses is refused by Vigil.
 */
export class RegexSyntaxError extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`error parsing regexp: ${reason}: \`${pattern}\``);
    this.name = 'RegexSyntaxError';
  }
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

interface Translated {
  source: string;
  flags: string;
}

/** Translates an RE2 pattern to a JS source string plus flags (unanchored). */
export function translateRE2(pattern: string): Translated {
  let flags = 'su';
  let out = '';
  let i = 0;
  const n = pattern.length;
  // Leading flag group applies to the whole pattern: (?i), (?s), (?is), (?m), (?U) …
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'i' && !flags.includes('i')) flags += 'i';
      if (f === 'm' && !flags.includes('m')) flags += 'm';
      if (f === 'U') throw new RegexSyntaxError(pattern, 'ungreedy flag (?U) is not supported');
    }
    i = lead[0].length;
  }
  let inClass = false;
  while (i < n) {
    const c = pattern[i]!;
    if (c === '\\') {
      const d = pattern[i + 1];
      if (d === undefined) throw new RegexSyntaxError(pattern, 'trailing backslash at end of expression');
      if (d >= '1' && d <= '9') throw new RegexSyntaxError(pattern, `invalid escape sequence: \`\\${d}\``);
      if (d === 'p' || d === 'P') {
        // \pL → \p{L}; \p{Greek} stays.
        const e = pattern[i + 2];
        if (e === '{') {
          const close = pattern.indexOf('}', i + 3);
          if (close < 0) throw new RegexSyntaxError(pattern, 'invalid character class range');
          out += `\\${d}{${pattern.slice(i + 3, close)}}`;
          i = close + 1;
        } else if (e !== undefined) {
          out += `\\${d}{${e}}`;
          i += 3;
        } else throw new RegexSyntaxError(pattern, 'invalid character class range');
        continue;
      }
      if (d === 'z') {
        out += '$(?![\\s\\S])';
        i += 2;
        continue;
      }
      if (d === 'A') {
        out += '^';
        i += 2;
        continue;
      }
      if (d === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const lit = end < 0 ? pattern.slice(i + 2) : pattern.slice(i + 2, end);
        out += lit.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
        i = end < 0 ? n : end + 2;
        continue;
      }
      if (d === 'C') throw new RegexSyntaxError(pattern, 'invalid escape sequence: `\\C`');
      // \x{10FFFF} form
      if (d === 'x' && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i + 3);
        out += `\\u{${pattern.slice(i + 3, close)}}`;
        i = close + 1;
        continue;
      }
      // Escapes of punctuation are literal in RE2; JS with the u flag rejects
      // identity escapes of non-syntax characters, so drop the backslash.
      if (/[^A-Za-z0-9]/.test(d) && !/[\^$\\.*+?()[\]{}|/-]/.test(d)) {
        out += d;
        i += 2;
        continue;
      }
      out += c + d;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const close = pattern.indexOf(':]', i + 2);
        if (close > 0) {
          let name = pattern.slice(i + 2, close);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const cls = POSIX_CLASSES[name];
          if (!cls) throw new RegexSyntaxError(pattern, `invalid character class range: \`[:${name}:]\``);
          if (neg) throw new RegexSyntaxError(pattern, 'negated POSIX classes are not supported');
          out += cls;
          i = close + 2;
          continue;
        }
      }
      if (c === '[') {
        out += '\\[';
        i++;
        continue;
      }
      if (c === ']') inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      if (pattern[i] === '^') {
        out += '^';
        i++;
      }
      // A ']' right after '[' or '[^' is a literal in RE2.
      if (pattern[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 4;
        continue;
      }
      if (rest.startsWith('<') && !rest.startsWith('<=') && !rest.startsWith('<!')) {
        out += '(?<';
        i += 3;
        continue;
      }
      if (rest.startsWith(':')) {
        out += '(?:';
        i += 3;
        continue;
      }
      const fl = /^([imsU-]+)(:|\))/.exec(rest);
      if (fl) {
        // Inline flags inside the pattern: JS supports (?i:…) modifiers only in
        // recent engines, so apply case-insensitivity via character expansion.
        if (fl[2] === ')') {
          if (fl[1]!.includes('i')) {
            const tail = translateRE2(pattern.slice(i + 2 + fl[0].length));
            return { source: out + caseFold(tail.source), flags: mergeFlags(flags, tail.flags) };
          }
          i += 2 + fl[0].length;
          continue;
        }
        // (?i:…) group
        const groupEnd = findGroupEnd(pattern, i);
        const inner = pattern.slice(i + 2 + fl[0].length, groupEnd);
        const t = translateRE2(inner);
        out += '(?:' + (fl[1]!.includes('i') ? caseFold(t.source) : t.source) + ')';
        i = groupEnd + 1;
        continue;
      }
      throw new RegexSyntaxError(pattern, `invalid or unsupported Perl syntax: \`(?${rest.slice(0, 1)}\``);
    }
    out += c;
    i++;
  }
  if (inClass) throw new RegexSyntaxError(pattern, `missing closing ]: \`${pattern.slice(pattern.lastIndexOf('['))}\``);
  return { source: out, flags };
}

function mergeFlags(a: string, b: string): string {
  let f = a;
  for (const c of b) if (!f.includes(c)) f += c;
  return f;
}

function findGroupEnd(p: string, start: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = start; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new Error('missing closing )');
}

/** Expands ASCII letters outside escapes into `[aA]` classes for a local (?i). */
function caseFold(src: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      out += c + (src[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += /[a-zA-Z]/.test(c) ? c.toLowerCase() + c.toUpperCase() : c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      continue;
    }
    out += /[a-zA-Z]/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
  }
  return out;
}

const cache = new Map<string, RegExp>();

/**
 * Compiles an RE2 pattern fully anchored, as Prometheus label matchers do.
 * Throws {@link RegexSyntaxError} for patterns RE2 would reject.
 * Results are cached; the returned RegExp has no `g` flag, so it is safe to share.
 */
export function compileAnchored(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  const t = translateRE2(pattern);
  try {
    re = new RegExp(`^(?:${t.source})$`, t.flags);
  } catch (err) {
    throw new RegexSyntaxError(pattern, (err as Error).message.replace(/^Invalid regular expression: /, ''));
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** Compiles an RE2 pattern without anchoring (for `reReplaceAll`-style uses). */
export function compileUnanchored(pattern: string, extraFlags = ''): RegExp {
  const t = translateRE2(pattern);
  try {
    return new RegExp(t.source, mergeFlags(t.flags, extraFlags));
  } catch (err) {
    throw new RegexSyntaxError(pattern, (err as Error).message.replace(/^Invalid regular expression: /, ''));
  }
}
