/**
 * A label set: name/value pairs sorted by name, names unique.
 *
 * Label sets are plain frozen arrays so they can be shared between the
 * scrape loop, the head and query results without copying. Every function
 * here that returns a label set returns a new array; none mutates its input.
 */
export interface Label {
  readonly name: string;
  readonly value: string;
}

export type Labels = readonly Label[];

/** The metric-name label. */
export const METRIC_NAME = '__name__';

export const EMPTY_LABELS: Labels = Object.freeze([]) as Labels;

function byName(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Builds a sorted label set from an object; empty values are dropped as Prometheus does. */
export function labelsFromObject(obj: Readonly<Record<string, string>>): Labels {
  const out: Label[] = [];
  for (const name of Object.keys(obj)) {
    const value = obj[name];
    if (value !== undefined && value !== '') out.push({ name, value });
  }
  out.sort(byName);
  return out;
}

/** Builds a sorted label set from name/value pairs (`['a','1','b','2']`). */
export function labelsFromStrings(...nv: string[]): Labels {
  if (nv.length % 2 !== 0) throw new Error('labelsFromStrings: odd number of strings');
  const out: Label[] = [];
  for (let i = 0; i < nv.length; i += 2) out.push({ name: nv[i]!, value: nv[i + 1]! });
  out.sort(byName);
  return out;
}

/** Sorts an unsorted list of labels in place and returns it. */
export function sortLabels(ls: Label[]): Label[] {
  return ls.sort(byName);
}

export function labelsToObject(ls: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of ls) out[l.name] = l.value;
  return out;
}

/** The value of `name`, or '' when absent (Prometheus's `Labels.Get`). */
export function getLabel(ls: Labels, name: string): string {
  for (const l of ls) if (l.name === name) return l.value;
  return '';
}

export function hasLabel(ls: Labels, name: string): boolean {
  for (const l of ls) if (l.name === name) return true;
  return false;
}

export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  }
  return true;
}

/** Orders label sets as Prometheus's `labels.Compare`. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return x.name < y.name ? -1 : 1;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * A string key that is unique per label set; use as a Map key.
 * Uses separators that cannot appear in valid UTF-8 label text.
 */
export function labelsKey(ls: Labels): string {
  let s = '';
  for (const l of ls) s += l.name + '\xff' + l.value + '\xfe';
  return s;
}

/** Prometheus's text form: `{a="1", b="2"}`, or `name{a="1"}` when `__name__` is set. */
export function labelsString(ls: Labels): string {
  let name = '';
  const parts: string[] = [];
  for (const l of ls) {
    if (l.name === METRIC_NAME) name = l.value;
    else parts.push(`${l.name}=${JSON.stringify(l.value)}`);
  }
  if (name && parts.length === 0) return name;
  return `${name}{${parts.join(', ')}}`;
}

/** Copy without the named labels. */
export function withoutLabels(ls: Labels, ...names: string[]): Labels {
  return ls.filter((l) => !names.includes(l.name));
}

/** Copy keeping only the named labels. */
export function keepLabels(ls: Labels, names: readonly string[]): Labels {
  return ls.filter((l) => names.includes(l.name));
}

/**
 * Mutable builder for deriving a label set from another; `set` with an
 * empty value deletes, as in Prometheus's `labels.Builder`.
 */
export class LabelsBuilder {
  private readonly map = new Map<string, string>();

  constructor(base: Labels = EMPTY_LABELS) {
    for (const l of base) this.map.set(l.name, l.value);
  }

  get(name: string): string {
    return this.map.get(name) ?? '';
  }

  set(name: string, value: string): this {
    if (value === '') this.map.delete(name);
    else this.map.set(name, value);
    return this;
  }

  del(...names: string[]): this {
    for (const n of names) this.map.delete(n);
    return this;
  }

  keep(...names: string[]): this {
    for (const n of [...this.map.keys()]) if (!names.includes(n)) this.map.delete(n);
    return this;
  }

  labels(): Labels {
    const out: Label[] = [];
    for (const [name, value] of this.map) out.push({ name, value });
    return out.sort(byName);
  }
}

const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** True for names valid under the legacy (pre-UTF-8) Prometheus charset. */
export function isLegacyLabelName(name: string): boolean {
  return LEGACY_NAME.test(name);
}

export function isLegacyMetricName(name: string): boolean {
  return LEGACY_METRIC_NAME.test(name);
}
