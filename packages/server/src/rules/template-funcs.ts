import { compileUnanchored, parseDuration } from '@vigil/core';
import { formatFloat, SafeHTML, type Template, type TemplateFunc } from '../model/gotemplate/index.ts';

/**
 * Prometheus's template preamble (`template.go`, `AlertingRule.Eval`): every
 * label and annotation template is prefixed with these definitions, so
 * `$labels`, `$externalLabels`, `$externalURL` and `$value` are in scope.
 * No newlines, so line numbers in errors stay the user's.
 */
export const TEMPLATE_PREAMBLE = '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

/** One sample as templates see it: `.Labels` and `.Value` (Prometheus's `template.sample`). */
export interface TemplateSample {
  Labels: Record<string, string>;
  Value: number;
}

/** What the template functions need from their caller. */
export interface TemplateFuncContext {
  /** Runs an instant query at the evaluation time; used by `query`. Absent: `query` fails. */
  query?: (expr: string) => Promise<TemplateSample[]>;
  /** The server's external URL (`--web.external-url`). */
  externalURL?: string;
  /** The set being executed, for `tmpl`. */
  template?: () => Template | undefined;
}

const NAMES = [
  'query', 'first', 'label', 'value', 'strvalue', 'args', 'tmpl', 'safeHtml', 'match', 'title', 'toUpper', 'toLower',
  'graphLink', 'tableLink', 'reReplaceAll', 'sortByLabel', 'humanize', 'humanize1024', 'humanizeDuration',
  'humanizePercentage', 'humanizeTimestamp', 'toTime', 'toDuration', 'pathPrefix', 'externalURL', 'parseDuration',
  'stripPort', 'stripDomain',
] as const;

/** Names of Prometheus's template functions, for parse-only checks. */
export function templateFuncNames(): string[] {
  return [...NAMES];
}

/** Go's `%.4g`. */
function g4(v: number): string {
  return formatFloat(v, 'g', 4);
}

/** Prometheus's `convertToFloat`: numbers and numeric strings. */
export function toFloat(i: unknown): number {
  if (typeof i === 'number') return i;
  if (typeof i === 'string') {
    const s = i.trim();
    const v = /^[+-]?(inf|infinity)$/i.test(s) ? (s.startsWith('-') ? -Infinity : Infinity) : /^nan$/i.test(s) ? NaN : Number(s);
    if (s === '' || (Number.isNaN(v) && !/^nan$/i.test(s))) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(i)}: invalid syntax`);
    return v;
  }
  throw new Error(`can't convert ${typeof i} to float`);
}

/** `humanize`: SI prefixes, 4 significant digits. */
export function humanize(i: unknown): string {
  let v = toFloat(i);
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v) + prefix;
  }
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v) + prefix;
}

/** `humanize1024`: binary prefixes. */
export function humanize1024(i: unknown): string {
  let v = toFloat(i);
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

/** `humanizeDuration`: seconds as `1d 2h 3m 4s`, or `4.5s`, or `12ms`. */
export function humanizeDuration(i: unknown): string {
  let v = toFloat(i);
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return g4(v) + 's';
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    v = Math.abs(v);
    const d = Math.trunc(v);
    const s = d % 60;
    const m = Math.trunc(d / 60) % 60;
    const h = Math.trunc(d / 3600) % 24;
    const days = Math.trunc(d / 86400);
    if (days) return `${sign}${days}d ${h}h ${m}m ${s}s`;
    if (h) return `${sign}${h}h ${m}m ${s}s`;
    if (m) return `${sign}${m}m ${s}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

/**
 * Go's `time.Time.String()` in UTC for Unix seconds, at the millisecond
 * precision Prometheus keeps (`model.TimeFromUnixNano`):
 * `2015-06-23 13:19:44.128 +0000 UTC`.
 */
export function formatGoTime(sec: number): string {
  const ms = Math.trunc((sec * 1e9) / 1e6);
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const msPart = ((ms % 1000) + 1000) % 1000;
  const frac = msPart ? '.' + String(msPart).padStart(3, '0').replace(/0+$/, '') : '';
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac} +0000 UTC`;
}

/** Go's `regexp.Expand` template syntax (`$1`, `${name}`, `$$`). */
function expandReplacement(repl: string, m: RegExpExecArray): string {
  return repl.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_all, d: string, braced?: string, bare?: string) => {
    if (d === '$') return '$';
    const name = braced ?? bare!;
    if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
    return m.groups?.[name] ?? '';
  });
}

function reReplaceAll(pattern: string, repl: string, text: string): string {
  const re = compileUnanchored(pattern, 'g');
  return text.replace(re, (...a) => {
    const groups = typeof a[a.length - 1] === 'object' ? (a[a.length - 1] as Record<string, string>) : undefined;
    const m = Object.assign(a.slice(0, groups ? -3 : -2) as unknown as RegExpExecArray, { groups });
    return expandReplacement(repl, m);
  });
}

function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_a, pre: string, c: string) => pre + c.toUpperCase());
}

function urlPath(u: string | undefined): string {
  if (!u) return '';
  try {
    return new URL(u).pathname.replace(/^\/$/, '');
  } catch {
    return '';
  }
}

/** Prometheus's template function map (`template.NewTemplateExpander`). */
export function templateFuncs(ctx: TemplateFuncContext = {}): Record<string, TemplateFunc> {
  return {
    query: async (q: string) => {
      if (!ctx.query) throw new Error('query is not available here');
      return ctx.query(String(q));
    },
    first: (v: TemplateSample[]) => {
      if (Array.isArray(v) && v.length > 0) return v[0];
      throw new Error('first() called on vector with no elements');
    },
    label: (name: string, s: TemplateSample | undefined) => (s ? (s.Labels[name] ?? '') : ''),
    value: (s: TemplateSample | undefined) => (s ? s.Value : 0),
    strvalue: (s: TemplateSample | undefined) => (s ? (s.Labels.__value__ ?? '') : ''),
    args: (...a: unknown[]) => Object.fromEntries(a.map((v, i) => [`arg${i}`, v])),
    tmpl: (name: string, data: unknown) => {
      const t = ctx.template?.();
      if (!t) throw new Error('tmpl is not available here');
      return new SafeHTML(t.execute(data, name));
    },
    safeHtml: (s: string) => new SafeHTML(String(s)),
    match: (pattern: string, s: string) => compileUnanchored(pattern).test(s),
    title: (s: string) => title(String(s)),
    toUpper: (s: string) => String(s).toUpperCase(),
    toLower: (s: string) => String(s).toLowerCase(),
    graphLink: (expr: string) => `/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=0`,
    tableLink: (expr: string) => `/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=1`,
    reReplaceAll: (pattern: string, repl: string, text: string) => reReplaceAll(pattern, repl, text),
    sortByLabel: (label: string, v: TemplateSample[]) => [...v].sort((a, b) => ((a.Labels[label] ?? '') < (b.Labels[label] ?? '') ? -1 : (a.Labels[label] ?? '') > (b.Labels[label] ?? '') ? 1 : 0)),
    humanize,
    humanize1024,
    humanizeDuration,
    humanizePercentage: (i: unknown) => g4(toFloat(i) * 100) + '%',
    humanizeTimestamp: (i: unknown) => {
      const v = toFloat(i);
      return Number.isFinite(v) ? formatGoTime(v) : g4(v);
    },
    toTime: (i: unknown) => new Date(toFloat(i) * 1000),
    toDuration: (i: unknown) => toFloat(i),
    pathPrefix: () => urlPath(ctx.externalURL),
    externalURL: () => ctx.externalURL ?? '',
    parseDuration: (s: string) => parseDuration(String(s)) / 1000,
    stripPort: (hostPort: string) => {
      const m = /^\[?([^\]]*?)\]?(?::\d+)?$/.exec(hostPort);
      return hostPort.includes(':') && m ? m[1] : hostPort;
    },
    stripDomain: (hostPort: string) => {
      const [host, ...port] = hostPort.split(':');
      if (/^\d+\.\d+\.\d+\.\d+$/.test(host!)) return hostPort;
      return [host!.split('.')[0], ...port].join(':');
    },
  };
}
