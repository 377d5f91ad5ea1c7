import { htmlEscape, jsEscape, queryEscape } from './escape.ts';
import { formatValue, SafeHTML, sprint, sprintf, sprintln } from './format.ts';
import { truth, type TemplateFunc } from './exec.ts';

/** Go's `basicKind` classes, enough to reject comparisons Go rejects. */
function kind(v: unknown): string {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string' || v instanceof SafeHTML) return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v === null || v === undefined) return 'nil';
  return 'complex';
}

function prim(v: unknown): unknown {
  return v instanceof SafeHTML ? v.html : v;
}

function eq1(a: unknown, b: unknown): boolean {
  const ka = kind(a);
  const kb = kind(b);
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  if (ka === 'complex' || kb === 'complex') throw new Error('non-comparable types');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  return prim(a) === prim(b);
}

function lt(a: unknown, b: unknown): boolean {
  const ka = kind(a);
  const kb = kind(b);
  if (ka === 'bool' || ka === 'nil' || ka === 'complex' || kb === 'complex' || kb === 'nil') throw new Error('invalid type for comparison');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  return (prim(a) as number) < (prim(b) as number);
}

function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  if (v && typeof v === 'object') return Object.keys(v).length;
  throw new Error(`len of type ${typeof v}`);
}

function index(v: unknown, ...keys: unknown[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (Array.isArray(cur) || typeof cur === 'string') {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0 || i >= cur.length) throw new Error(`index out of range: ${formatValue(k)}`);
      cur = typeof cur === 'string' ? Buffer.from(cur)[i] : cur[i];
    } else if (cur instanceof Map) cur = cur.has(k) ? cur.get(k) : '';
    else if (cur && typeof cur === 'object') cur = Object.hasOwn(cur, String(k)) ? (cur as Record<string, unknown>)[String(k)] : '';
    else throw new Error(`can't index item of type ${typeof cur}`);
  }
  return cur;
}

function slice(v: unknown, ...idx: unknown[]): unknown {
  if (typeof v !== 'string' && !Array.isArray(v)) throw new Error(`can't slice item of type ${typeof v}`);
  const n = v.length;
  const [i = 0, j = n] = idx.map(Number);
  if (i < 0 || j < i || j > n) throw new Error(`index out of range: ${j}`);
  return v.slice(i, j);
}

/** Go text/template's predefined functions (`and`/`or` are handled by the executor, which short-circuits them). */
export function builtinFuncs(): Map<string, TemplateFunc> {
  const m = new Map<string, TemplateFunc>();
  m.set('and', () => undefined);
  m.set('or', () => undefined);
  m.set('not', (v: unknown) => !truth(v));
  m.set('len', length);
  m.set('index', index);
  m.set('slice', slice);
  m.set('print', (...a: unknown[]) => sprint(a));
  m.set('println', (...a: unknown[]) => sprintln(a));
  m.set('printf', (f: string, ...a: unknown[]) => sprintf(String(f), a));
  m.set('html', (...a: unknown[]) => htmlEscape(sprint(a)));
  m.set('js', (...a: unknown[]) => jsEscape(sprint(a)));
  m.set('urlquery', (...a: unknown[]) => queryEscape(sprint(a)));
  m.set('call', (f: unknown, ...a: unknown[]) => {
    if (typeof f !== 'function') throw new Error(`non-function of type ${typeof f}`);
    return f(...a);
  });
  m.set('eq', (a: unknown, ...bs: unknown[]) => {
    if (bs.length === 0) throw new Error('missing argument for comparison');
    return bs.some((b) => eq1(a, b));
  });
  m.set('ne', (a: unknown, b: unknown) => !eq1(a, b));
  m.set('lt', (a: unknown, b: unknown) => lt(a, b));
  m.set('le', (a: unknown, b: unknown) => lt(a, b) || eq1(a, b));
  m.set('gt', (a: unknown, b: unknown) => !lt(a, b) && !eq1(a, b));
  m.set('ge', (a: unknown, b: unknown) => !lt(a, b));
  return m;
}
