/**
 * Go `fmt` value printing for template data. Numbers are float64 (JS has no
 * separate int), so they print as Go prints a float64 with `%v`: shortest
 * digits, exponent form below 1e-4 and from 1e+06 up, as `%g` decides.
 */

/** Marks HTML that must not be escaped again (Prometheus's `safeHtml`, html/template's `template.HTML`). */
export class SafeHTML {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/**
 * Go rounds an exact decimal tie to even (`strconv`); JS's toFixed and
 * toExponential round it up. Exact digits come from a 100-digit expansion,
 * which is exact for the doubles templates meet.
 */
function halfEven(v: number, prec: number, exp: boolean): string {
  const up = exp ? v.toExponential(prec) : v.toFixed(prec);
  // A tie needs the exact expansion to be ...5 at the next digit: one digit
  // more (exact when it is a tie) rules most values out without the long expansion.
  if (prec < 100) {
    const next = exp ? v.toExponential(prec + 1) : Math.abs(v) < 1e21 ? v.toFixed(prec + 1) : '5';
    const d = exp ? next.charCodeAt(next.indexOf('e') - 1) : next.charCodeAt(next.length - 1);
    if (d !== 53 /* '5' */) return up;
  }
  const full = exp ? v.toExponential(100) : Math.abs(v) < 1e21 ? v.toFixed(Math.min(100, prec + 80)) : up;
  const mant = exp ? full.slice(0, full.indexOf('e')) : full;
  const dot = mant.indexOf('.');
  const cut = dot < 0 ? mant.length : dot + 1 + prec;
  const rest = mant.slice(cut);
  if (!/^50*$/.test(rest)) return up;
  const kept = mant.slice(0, prec === 0 && dot >= 0 ? dot : cut);
  const last = kept.replace(/\.$/, '').at(-1)!;
  if (Number(last) % 2 === 1) return up;
  return exp ? kept.replace(/\.$/, '') + full.slice(full.indexOf('e')) : kept.replace(/\.$/, '');
}

/** Go `strconv.FormatFloat(v, 'g', prec, 64)`, which `%v` and `%g` use. */
export function formatFloat(v: number, fmt: 'g' | 'v' = 'v', prec = -1): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const ex = prec < 0 ? v.toExponential() : halfEven(v, Math.max(prec - 1, 0), true);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(ex)!;
  const sign = m[1]!;
  let digits = m[2]! + (m[3] ?? '');
  const exp = Number(m[4]);
  if (prec >= 0) digits = digits.replace(/0+$/, '') || '0';
  // strconv: shortest %g/%v switches to exponent form at 1e+06 (eprec 6); %.Ng at N digits.
  let eprec = prec < 0 ? 6 : prec === 0 ? 1 : prec;
  if (prec >= 0 && eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
  if (exp < -4 || exp >= eprec) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Go's `%v` of a value as `fmt.Sprint` prints it (maps sorted by key, slices in brackets). */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return formatFloat(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'function':
      return '0x0';
  }
  if (v instanceof SafeHTML) return v.html;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (v instanceof Map) {
    const keys = [...v.keys()].sort(compareKeys);
    return `map[${keys.map((k) => `${formatValue(k)}:${formatValue(v.get(k))}`).join(' ')}]`;
  }
  const o = v as { toString?: () => string; constructor?: unknown };
  if (o.constructor !== Object && typeof o.toString === 'function' && o.toString !== Object.prototype.toString) return o.toString();
  const keys = Object.keys(v as object).sort(compareKeys);
  return `map[${keys.map((k) => `${k}:${formatValue((v as Record<string, unknown>)[k])}`).join(' ')}]`;
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Go's `fmt.Sprint`: spaces between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    if (i > 0 && typeof args[i] !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(args[i]);
  }
  return out;
}

/** Go's `fmt.Sprintln`: always spaces, then a newline. */
export function sprintln(args: unknown[]): string {
  return args.map(formatValue).join(' ') + '\n';
}

function goType(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** Go `strconv.Quote`. */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** Go's `fmt.Sprintf` for the verbs templates use: %v %s %d %f %e %g %q %x %X %t %c %b %o %%, flags `-+ 0#`, width and precision. */
export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argi = 0;
  const re = /%([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d*))?([a-zA-Z%])/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const [, flags = '', w, p, verb] = m;
    if (verb === '%') {
      out += '%';
      continue;
    }
    let width = w === '*' ? Number(args[argi++]) : w ? Number(w) : undefined;
    const prec = p === '*' ? Number(args[argi++]) : p !== undefined ? (p === '' ? 0 : Number(p)) : undefined;
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const a = args[argi++];
    let s = formatVerb(verb!, a, flags, prec);
    let minus = flags.includes('-');
    if (width !== undefined && width < 0) {
      minus = true;
      width = -width;
    }
    if (width !== undefined && s.length < width) {
      const zero = flags.includes('0') && !minus && typeof a === 'number' && verb !== 's' && verb !== 'q';
      if (minus) s = s + ' '.repeat(width - s.length);
      else if (zero) {
        const sign = /^[+-]/.test(s) ? s[0]! : '';
        s = sign + '0'.repeat(width - s.length) + s.slice(sign.length);
      } else s = ' '.repeat(width - s.length) + s;
    }
    out += s;
  }
  out += format.slice(last);
  if (argi < args.length) out += `%!(EXTRA ${args.slice(argi).map((a) => `${goType(a)}=${formatValue(a)}`).join(', ')})`;
  return out;
}

function plus(flags: string, v: number, s: string): string {
  if (v >= 0 && !s.startsWith('+')) {
    if (flags.includes('+')) return '+' + s;
    if (flags.includes(' ')) return ' ' + s;
  }
  return s;
}

function fixExp(s: string): string {
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function formatVerb(verb: string, a: unknown, flags: string, prec: number | undefined): string {
  const bad = (): string => `%!${verb}(${goType(a)}=${formatValue(a)})`;
  switch (verb) {
    case 'v':
      if (flags.includes('#') && typeof a === 'string') return quote(a);
      return typeof a === 'number' ? plus(flags, a, formatFloat(a)) : a === undefined || a === null ? '<nil>' : formatValue(a);
    case 's':
      if (typeof a === 'number' || typeof a === 'boolean') return bad();
      return prec !== undefined ? [...formatValue(a)].slice(0, prec).join('') : formatValue(a);
    case 'q':
      if (typeof a === 'string') return quote(a);
      if (typeof a === 'number' && Number.isInteger(a)) return `'${String.fromCodePoint(a)}'`;
      return bad();
    case 't':
      return typeof a === 'boolean' ? String(a) : bad();
    case 'd':
      if (typeof a === 'number' && Number.isInteger(a)) return plus(flags, a, a.toFixed(0));
      if (typeof a === 'bigint') return a.toString();
      return bad();
    case 'c':
      return typeof a === 'number' && Number.isInteger(a) ? String.fromCodePoint(a) : bad();
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      if (typeof a === 'number' && Number.isInteger(a)) {
        const base = verb === 'b' ? 2 : verb === 'o' ? 8 : 16;
        let s = Math.abs(a).toString(base);
        if (verb === 'X') s = s.toUpperCase();
        if (flags.includes('#')) s = (verb === 'x' ? '0x' : verb === 'X' ? '0X' : verb === 'o' ? '0' : '') + s;
        return (a < 0 ? '-' : '') + s;
      }
      if (typeof a === 'string' && (verb === 'x' || verb === 'X')) {
        const s = Buffer.from(a, 'utf8').toString('hex');
        return verb === 'X' ? s.toUpperCase() : s;
      }
      return bad();
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      if (typeof a !== 'number') return bad();
      if (!Number.isFinite(a)) return plus(flags, a, formatFloat(a));
      let s: string;
      if (verb === 'f' || verb === 'F') s = Math.abs(a) < 1e21 ? halfEven(a, prec ?? 6, false) : fullFixed(a, prec ?? 6);
      else if (verb === 'e' || verb === 'E') s = fixExp(halfEven(a, prec ?? 6, true));
      else s = formatFloat(a, 'g', prec ?? -1);
      if (verb === 'E' || verb === 'G') s = s.toUpperCase();
      return plus(flags, a, s);
    }
    default:
      return `%!${verb}(${goType(a)}=${formatValue(a)})`;
  }
}

function fullFixed(a: number, prec: number): string {
  const big = BigInt(Math.trunc(a));
  return big.toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
}
