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
import { RE2JS } from 're2js';

export class RegexSyntaxError extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    // Go's messages carry the offending fragment in backquotes; add the whole pattern when the reason has none.
    super(reason.includes('`') ? `error parsing regexp: ${reason}` : `error parsing regexp: ${reason}: \`${pattern}\``);
    this.name = 'RegexSyntaxError';
  }
}

type Ranges = readonly (readonly [number, number])[];
const r = (a: string, b: string = a): [number, number] => [a.codePointAt(0)!, b.codePointAt(0)!];

/** POSIX classes as code-point ranges, so negated forms (`[[:^alpha:]]`) can be complemented. */
const POSIX_CLASSES: Record<string, Ranges> = {
  alnum: [r('0', '9'), r('A', 'Z'), r('a', 'z')],
  alpha: [r('A', 'Z'), r('a', 'z')],
  ascii: [[0, 0x7f]],
  blank: [r('\t'), r(' ')],
  cntrl: [[0, 0x1f], [0x7f, 0x7f]],
  digit: [r('0', '9')],
  graph: [r('!', '~')],
  lower: [r('a', 'z')],
  print: [r(' ', '~')],
  punct: [r('!', '/'), r(':', '@'), r('[', '`'), r('{', '~')],
  space: [r('\t', '\r'), r(' ')],
  upper: [r('A', 'Z')],
  word: [r('0', '9'), r('A', 'Z'), r('a', 'z'), r('_')],
  xdigit: [r('0', '9'), r('A', 'F'), r('a', 'f')],
};

function renderRanges(rs: Ranges): string {
  const cp = (c: number) => `\\u{${c.toString(16)}}`;
  return rs.map(([a, b]) => (a === b ? cp(a) : `${cp(a)}-${cp(b)}`)).join('');
}

/** Complement of sorted, non-overlapping ranges within all of Unicode. */
function complement(rs: Ranges): Ranges {
  const sorted = [...rs].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  let next = 0;
  for (const [a, b] of sorted) {
    if (a > next) out.push([next, a - 1]);
    next = Math.max(next, b + 1);
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

interface Translated {
  source: string;
  flags: string;
}

/** Translates an RE2 pattern to a JS source string plus flags (unanchored). */
export function translateRE2(pattern: string, nested = false): Translated {
  if (!nested) precheck(pattern);
  let flags = 'su';
  let out = '';
  let i = 0;
  const n = pattern.length;
  let ungreedy = false;
  // Leading flag group applies to the whole pattern: (?i), (?s), (?is), (?m), (?U) …
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'i' && !flags.includes('i')) flags += 'i';
      if (f === 'm' && !flags.includes('m')) flags += 'm';
      // (?U) swaps greedy and lazy quantifiers (only captures can tell).
      if (f === 'U') ungreedy = true;
    }
    i = lead[0].length;
  }
  let inClass = false;
  while (i < n) {
    const c = pattern[i]!;
    if (c === '\\') {
      const d = pattern[i + 1];
      if (d === undefined) throw new RegexSyntaxError(pattern, 'trailing backslash at end of expression');
      if (d >= '1' && d <= '9' && !(d <= '7' && /[0-7]/.test(pattern[i + 2] ?? ''))) throw new RegexSyntaxError(pattern, `invalid escape sequence: \`\\${d}\``);
      if (d === 'p' || d === 'P') {
        // \pL → \p{L}; \p{Greek} stays.
        const e = pattern[i + 2];
        if (e === '{') {
          const close = pattern.indexOf('}', i + 3);
          if (close < 0) throw new RegexSyntaxError(pattern, 'invalid character class range');
          out += `\\${d}{${unicodeClass(pattern, pattern.slice(i + 3, close))}}`;
          i = close + 1;
        } else if (e !== undefined) {
          out += `\\${d}{${unicodeClass(pattern, e)}}`;
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
        const hex = close < 0 ? '' : pattern.slice(i + 3, close);
        if (!/^[0-9A-Fa-f]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw new RegexSyntaxError(pattern, `invalid escape sequence: \`${pattern.slice(i, close < 0 ? n : close + 1)}\``);
        out += `\\u{${hex}}`;
        i = close + 1;
        continue;
      }
      // Octal: \0, \12, \123 (a single \1-\7 would be a backreference, which RE2 lacks).
      if ((d === '0' || (d >= '1' && d <= '7' && /[0-7]/.test(pattern[i + 2] ?? ''))) && !inClass) {
        const m = /^[0-7]{1,3}/.exec(pattern.slice(i + 1))!;
        out += `\\u{${parseInt(m[0], 8).toString(16)}}`;
        i += 1 + m[0].length;
        continue;
      }
      // RE2's \s is ASCII whitespace without \v; JavaScript's is wider.
      if (d === 's' || d === 'S') {
        out += inClass ? (d === 's' ? '\\t\\n\\f\\r ' : '\\S') : d === 's' ? '[\\t\\n\\f\\r ]' : '[^\\t\\n\\f\\r ]';
        i += 2;
        continue;
      }
      // Escapes of punctuation are literal in RE2; JS with the u flag rejects
      // identity escapes of non-syntax characters, so drop the backslash.
      // `\-` is only a valid escape inside a class under the u flag.
      if (/[^A-Za-z0-9]/.test(d) && (!/[\^$\\.*+?()[\]{}|/-]/.test(d) || (d === '-' && !inClass))) {
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
          out += renderRanges(neg ? complement(cls) : cls);
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
    if (ungreedy && (c === '*' || c === '+' || c === '?')) {
      if (pattern[i + 1] === '?') {
        out += c;
        i += 2;
      } else {
        out += c + '?';
        i++;
      }
      continue;
    }
    if (c === '{' || c === '}') {
      // RE2 reads a brace that does not start a valid {n}, {n,}, {n,m} as a literal; with the u flag JavaScript refuses it.
      const m = c === '{' ? /^\{\d+(,\d*)?\}/.exec(pattern.slice(i)) : null;
      if (m) {
        out += m[0];
        i += m[0].length;
        if (ungreedy) {
          if (pattern[i] === '?') i++;
          else out += '?';
        }
      } else {
        out += '\\' + c;
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
            // A bare (?i) lasts to the end of the enclosing group.
            const from = i + 2 + fl[0].length;
            const to = enclosingEnd(pattern, from);
            out += caseFold(translateRE2(pattern.slice(from, to), true).source);
            i = to;
            continue;
          }
          i += 2 + fl[0].length;
          continue;
        }
        // (?i:…) group
        const groupEnd = findGroupEnd(pattern, i);
        const inner = pattern.slice(i + 2 + fl[0].length, groupEnd);
        const t = translateRE2(inner, true);
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

/** Index of the `)` closing the group that contains `from`, or the pattern's length. */
function enclosingEnd(p: string, from: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = from; i < p.length; i++) {
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
      if (depth === 0) return i;
      depth--;
    }
  }
  return p.length;
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
  throw new RegexSyntaxError(p, `missing closing ): \`${p.slice(start)}\``);
}

const GENERAL_CATEGORIES = new Set(['C', 'Cc', 'Cf', 'Co', 'Cs', 'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'M', 'Mc', 'Me', 'Mn', 'N', 'Nd', 'Nl', 'No', 'P', 'Pc', 'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps', 'S', 'Sc', 'Sk', 'Sm', 'So', 'Z', 'Zl', 'Zp', 'Zs']);

/** RE2's `\pX` / `\p{Name}`: general categories as is, other names are scripts (`Script=Greek` in JavaScript). */
function unicodeClass(pattern: string, name: string): string {
  if (GENERAL_CATEGORIES.has(name)) return name;
  if (/^[A-Z][A-Za-z_]*$/.test(name)) return `Script=${name}`;
  throw new RegexSyntaxError(pattern, `invalid character class range: \`\\p{${name}}\``);
}

/**
 * Checks what JavaScript would report in its own words or accept where RE2
 * refuses: unbalanced parentheses, repetition without an argument, repeat
 * counts over 1000. Messages follow Go's regexp/syntax.
 */
function precheck(pattern: string): void {
  let depth = 0;
  let inClass = false;
  let prevAtom = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const d = pattern[i + 1];
      if ((d === 'x' || d === 'p' || d === 'P') && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i + 3);
        i = close < 0 ? pattern.length : close;
      } else if (d === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        i = end < 0 ? pattern.length : end + 1;
      } else i++;
      prevAtom = true;
      continue;
    }
    if (inClass) {
      if (c === ']' && pattern[i - 1] !== '[' && !(pattern[i - 1] === '^' && pattern[i - 2] === '[')) inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      prevAtom = true;
      continue;
    }
    if (c === '(') {
      depth++;
      prevAtom = false;
      if (pattern[i + 1] === '?') {
        const m = /^\(\?(?:P?<[^>]*>|[imsU-]*[:)])/.exec(pattern.slice(i));
        if (!m) throw new RegexSyntaxError(pattern, `invalid or unsupported Perl syntax: \`${pattern.slice(i, i + 3)}\``);
        if (m[0].endsWith(')')) depth--;
        i += m[0].length - 1;
      }
      continue;
    }
    if (c === ')') {
      if (depth === 0) throw new RegexSyntaxError(pattern, `unexpected ): \`${pattern}\``);
      depth--;
      prevAtom = true;
      continue;
    }
    if (c === '|') {
      prevAtom = false;
      continue;
    }
    if (c === '*' || c === '+' || c === '?') {
      if (!prevAtom) throw new RegexSyntaxError(pattern, `missing argument to repetition operator: \`${c}\``);
      const next = pattern[i + 1];
      if (next === '?') i++; // lazy
      if ((pattern[i + 1] === '*' || pattern[i + 1] === '+') ) throw new RegexSyntaxError(pattern, `invalid nested repetition operator: \`${c}${pattern[i + 1]}\``);
      continue;
    }
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (m) {
        if (!prevAtom) throw new RegexSyntaxError(pattern, `missing argument to repetition operator: \`${m[0]}\``);
        const lo = Number(m[1]);
        const hi = m[3] ? Number(m[3]) : lo;
        if (lo > 1000 || hi > 1000 || (m[3] && hi < lo)) throw new RegexSyntaxError(pattern, `invalid repeat count: \`${m[0]}\``);
        i += m[0].length - 1;
        continue;
      }
    }
    prevAtom = true;
  }
  if (depth > 0) throw new RegexSyntaxError(pattern, `missing closing ): \`${pattern}\``);
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
      if (c === ']') {
        inClass = false;
        out += c;
        continue;
      }
      // A letter range gains its other-case twin (a-c → a-cA-C); single letters both cases.
      if (src[i + 1] === '-' && src[i + 2] !== undefined && src[i + 2] !== ']' && src[i + 2] !== '\\') {
        const lo = c;
        const hi = src[i + 2]!;
        out += `${lo}-${hi}`;
        if (/[a-z]/.test(lo) && /[a-z]/.test(hi)) out += `${lo.toUpperCase()}-${hi.toUpperCase()}`;
        else if (/[A-Z]/.test(lo) && /[A-Z]/.test(hi)) out += `${lo.toLowerCase()}-${hi.toLowerCase()}`;
        i += 2;
        continue;
      }
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

/** A compiled, fully anchored RE2 pattern with linear-time matching. */
export interface LinearRegex {
  /** True when the whole of `s` matches. */
  test(s: string): boolean;
  /** Capture groups of a whole-string match (index 0 is the match), or null. */
  exec(s: string): { groups: (string | null)[]; named: Record<string, string | null> } | null;
}

/**
 * Compiles `pattern` with RE2JS, a JavaScript port of RE2: Go's syntax and
 * error texts as they are, and matching in linear time, so a hostile pattern
 * such as `(a+)+b` cannot stall the process the way a backtracking engine
 * can. `.` matches a newline, as in Prometheus 3.
 * @throws RegexSyntaxError with Go's message
 */
export function compileLinear(pattern: string): LinearRegex {
  let re: RE2JS;
  try {
    // Syntax is checked without flags first: with DOTALL the error text would show a `(?s)` prefix.
    RE2JS.compile(pattern);
    re = RE2JS.compile(pattern, RE2JS.DOTALL);
  } catch (err) {
    const msg = (err as Error).message.replace(/^error parsing regexp: /, '');
    throw new RegexSyntaxError(pattern, msg);
  }
  const names = Object.keys(re.namedGroups() ?? {});
  return {
    test: (s) => re.matches(s),
    exec: (s) => {
      const m = re.matcher(s);
      if (!m.matches()) return null;
      const groups: (string | null)[] = [];
      for (let i = 0; i <= re.groupCount(); i++) groups.push(m.group(i));
      const named: Record<string, string | null> = {};
      for (const n of names) named[n] = m.group(n);
      return { groups, named };
    },
  };
}
