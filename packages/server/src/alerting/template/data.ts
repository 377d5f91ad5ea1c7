import { isResolved, type Alert, type LabelSet } from '../types.ts';

/** One alert as templates and webhook payloads see it (Alertmanager template.Alert). */
export interface TemplateAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager's template.Data, in its JSON spelling and key order. */
export interface TemplateData {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: TemplateAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
}

/** Go's time.Time JSON form (RFC3339Nano, UTC); 0 is Go's zero time. */
export function goTime(ms: number): string {
  if (ms === 0) return '0001-01-01T00:00:00Z';
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z').replace(/\.(\d*?)0*Z$/, '.$1Z');
}

function sortedObject(ls: LabelSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(ls).sort()) out[k] = ls[k]!;
  return out;
}

/** Builds the template data for a notification (template.Data in Alertmanager). */
export function templateData(receiver: string, groupLabels: LabelSet, alerts: readonly Alert[], externalURL: string, now: number): TemplateData {
  const out: TemplateData = {
    receiver,
    status: alerts.some((a) => !isResolved(a, now)) ? 'firing' : 'resolved',
    alerts: alerts.map((a) => ({
      status: isResolved(a, now) ? 'resolved' : 'firing',
      labels: sortedObject(a.labels),
      annotations: sortedObject(a.annotations),
      startsAt: goTime(a.startsAt),
      endsAt: goTime(a.endsAt),
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
    groupLabels: sortedObject(groupLabels),
    commonLabels: {},
    commonAnnotations: {},
    externalURL,
  };
  if (alerts.length > 0) {
    const common = (pick: (a: Alert) => LabelSet) => {
      const first = { ...pick(alerts[0]!) };
      for (const a of alerts.slice(1)) for (const k of Object.keys(first)) if (pick(a)[k] !== first[k]) delete first[k];
      return sortedObject(first);
    };
    out.commonLabels = common((a) => a.labels);
    out.commonAnnotations = common((a) => a.annotations);
  }
  return out;
}
