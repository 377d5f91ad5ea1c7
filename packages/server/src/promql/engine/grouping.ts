import { labelsKey, type Label, type Labels } from '@vigil/core';

/** Labels kept by `by (…)` (only those) or `without (…)` (all but those and `__name__`). */
export function groupLabels(metric: Labels, grouping: readonly string[], without: boolean): Labels {
  if (without) return metric.filter((l) => !METADATA_LABELS.has(l.name) && !grouping.includes(l.name));
  return metric.filter((l) => grouping.includes(l.name));
}

export function groupKey(metric: Labels, grouping: readonly string[], without: boolean): string {
  return labelsKey(groupLabels(metric, grouping, without));
}

/** Labels that go whenever `__name__` goes (type-and-unit metadata labels). */
export const METADATA_LABELS: ReadonlySet<string> = new Set(['__name__', '__type__', '__unit__']);

/** Removes `__name__` and the metadata labels that travel with it. */
export function dropMetadata(metric: Labels): Labels {
  return metric.some((l) => METADATA_LABELS.has(l.name)) ? metric.filter((l) => !METADATA_LABELS.has(l.name)) : metric;
}

export function dropName(metric: Labels): Labels {
  return metric.some((l) => l.name === '__name__') ? metric.filter((l) => l.name !== '__name__') : metric;
}

export function setLabel(metric: Labels, name: string, value: string): Labels {
  const out: Label[] = metric.filter((l) => l.name !== name);
  if (value !== '') out.push({ name, value });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
