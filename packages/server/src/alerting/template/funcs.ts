import { compileUnanchored } from '@vigil/core';
import { SafeHTML } from '../../model/gotemplate/index.ts';
import type { TemplateAlert, TemplateData } from './data.ts';

/**
 * Go's `%.4g` (also `%.Ng`): shortest of fixed/exponent, trailing zeros
 * dropped, exponent at least two digits (`1e+06`).
 */
export function goFormatG(v: number, prec = 4): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(prec)))));
  if (exp < -4 || exp >= prec) {
    const [m, e] = v.toExponential(prec - 1).split('e');
    const mant = m!.includes('.') ? m!.replace(/0+$/, '').replace(/\.$/, '') : m!;
    const n = Number(e);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const s = v.toFixed(Math.max(0, prec - 1 - exp));
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Prometheus' humanize: SI prefixes, `%.4g`. */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return goFormatG(v);
  if (Math.abs(v) >= 1) {
    let prefix = '';
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return goFormatG(v) + prefix;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return goFormatG(v) + prefix;
}

/** Prometheus' humanize1024: binary prefixes. */
export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return goFormatG(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return goFormatG(v) + prefix;
}

/** Prometheus' humanizeDuration (seconds in): `1d 2h 3m 4s`, or `12.35ms` below a second. */
export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return goFormatG(v);
  if (v === 0) return '0s';
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    v = Math.abs(v);
    const d = Math.floor(v / 86400);
    const h = Math.floor(v / 3600) % 24;
    const m = Math.floor(v / 60) % 60;
    const s = Math.floor(v) % 60;
    const ms = Math.floor(v * 1000) % 1000;
    if (d) return `${sign}${d}d ${h}h ${m}m ${s}s`;
    if (h) return `${sign}${h}h ${m}m ${s}s`;
    if (m) return `${sign}${m}m ${s}s`;
    return `${sign}${goFormatG(s + ms / 1000)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${goFormatG(v)}${prefix}s`;
}

/** Prometheus' humanizePercentage: ratio in, `%.4g%` out. */
export function humanizePercentage(v: number): string {
  return `${goFormatG(v * 100)}%`;
}

/** Go's regexp.ReplaceAllString: RE2 pattern, `$1`/`${name}` in the replacement. */
export function reReplaceAll(pattern: string, repl: string, text: string): string {
  const re = compileUnanchored(pattern);
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
  const js = repl.replace(/\$\$/g, '\u0000').replace(/\$\{(\w+)\}/g, (_, n: string) => (/^\d+$/.test(n) ? `$${n}` : `$<${n}>`)).replace(/\u0000/g, '$$$$');
  return text.replace(g, js);
}

/**
 * Alertmanager's template function map (template.DefaultFuncs) plus the
 * Prometheus humanize family its users reach for. Arguments are in Go's
 * order (`join sep list`, `reReplaceAll pattern repl text`).
 */
export const TEMPLATE_FUNCS: Readonly<Record<string, (...args: never[]) => unknown>> = {
  toUpper: (s: string) => s.toUpperCase(),
  toLower: (s: string) => s.toLowerCase(),
  title: (s: string) => s.replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase()),
  trimSpace: (s: string) => s.trim(),
  join: (sep: string, xs: readonly string[]) => xs.join(sep),
  match: (pattern: string, s: string) => compileUnanchored(pattern).test(s),
  safeHtml: (s: string) => new SafeHTML(s),
  reReplaceAll,
  stringSlice: (...xs: string[]) => xs,
  humanize: (v: number | string) => humanize(Number(v)),
  humanize1024: (v: number | string) => humanize1024(Number(v)),
  humanizeDuration: (v: number | string) => humanizeDuration(Number(v)),
  humanizePercentage: (v: number | string) => humanizePercentage(Number(v)),
  humanizeTimestamp: (v: number | string) => new Date(Number(v) * 1000).toISOString().replace('T', ' ').replace('Z', ' +0000 UTC'),
};

/** A Go `template.KV`: label map with Alertmanager's helper methods. */
export class KV {
  [key: string]: unknown;
  constructor(m: Readonly<Record<string, string>>) {
    Object.assign(this, m);
  }
  private entries(): Array<[string, string]> {
    return Object.keys(this).sort().map((k) => [k, this[k] as string]);
  }
  /** Go's `Pairs`: a list with its own `Names`/`Values` methods (`.SortedPairs.Values | join " "`). */
  SortedPairs(): Array<{ Name: string; Value: string }> & { Names(): string[]; Values(): string[] } {
    const pairs = this.entries().map(([Name, Value]) => ({ Name, Value }));
    return Object.assign(pairs, { Names: () => pairs.map((p) => p.Name), Values: () => pairs.map((p) => p.Value) });
  }
  Names(): string[] {
    return this.entries().map(([k]) => k);
  }
  Values(): string[] {
    return this.entries().map(([, v]) => v);
  }
  Remove(keys: readonly string[]): KV {
    const out: Record<string, string> = {};
    for (const [k, v] of this.entries()) if (!keys.includes(k)) out[k] = v;
    return new KV(out);
  }
}

/** The Go-named view of {@link TemplateData} that Alertmanager templates address (`.Status`, `.Alerts.Firing`…). */
export interface GoTemplateData {
  Receiver: string;
  Status: string;
  Alerts: GoAlerts;
  GroupLabels: KV;
  CommonLabels: KV;
  CommonAnnotations: KV;
  ExternalURL: string;
}

export interface GoAlert {
  Status: string;
  Labels: KV;
  Annotations: KV;
  StartsAt: Date;
  EndsAt: Date;
  GeneratorURL: string;
  Fingerprint: string;
}

/** An alert list with Alertmanager's `Firing`/`Resolved` methods. */
export type GoAlerts = GoAlert[] & { Firing(): GoAlert[]; Resolved(): GoAlert[] };

function goAlerts(xs: GoAlert[]): GoAlerts {
  const out = xs as GoAlerts;
  out.Firing = () => goAlerts(xs.filter((a) => a.Status === 'firing'));
  out.Resolved = () => goAlerts(xs.filter((a) => a.Status === 'resolved'));
  return out;
}

/** Converts the JSON-spelled data to the Go-named view the template engine executes against. */
export function goTemplateData(d: TemplateData): GoTemplateData {
  const alert = (a: TemplateAlert): GoAlert => ({
    Status: a.status, Labels: new KV(a.labels), Annotations: new KV(a.annotations), StartsAt: new Date(a.startsAt),
    EndsAt: new Date(a.endsAt), GeneratorURL: a.generatorURL, Fingerprint: a.fingerprint,
  });
  return {
    Receiver: d.receiver, Status: d.status, Alerts: goAlerts(d.alerts.map(alert)), GroupLabels: new KV(d.groupLabels),
    CommonLabels: new KV(d.commonLabels), CommonAnnotations: new KV(d.commonAnnotations), ExternalURL: d.externalURL,
  };
}
