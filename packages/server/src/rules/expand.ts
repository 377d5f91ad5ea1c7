import { Template } from '../model/gotemplate/index.ts';
import { TEMPLATE_PREAMBLE, templateFuncs, type TemplateSample } from './template-funcs.ts';

/** The data Prometheus gives label and annotation templates. */
export interface AlertTemplateData {
  labels: Record<string, string>;
  externalLabels: Record<string, string>;
  externalURL: string;
  value: number;
}

/**
 * Expands one label or annotation template of alert `alertName` the way
 * Prometheus does: preamble, `missingkey=zero`, the full function map; a
 * template error becomes the text `<error expanding template: …>` (reported
 * through `onError`, never thrown), so one bad annotation cannot stop a rule.
 */
export async function expandAlertTemplate(
  alertName: string,
  text: string,
  data: AlertTemplateData,
  opts: { query?: (expr: string) => Promise<TemplateSample[]>; onError?: (err: Error) => void } = {},
): Promise<string> {
  if (!text.includes('{{')) return text;
  let tmpl: Template | undefined;
  try {
    tmpl = new Template(`__alert_${alertName}`, templateFuncs({ query: opts.query, externalURL: data.externalURL, template: () => tmpl }));
    tmpl.parse(TEMPLATE_PREAMBLE + text);
    return await tmpl.executeAsync({ Labels: data.labels, ExternalLabels: data.externalLabels, ExternalURL: data.externalURL, Value: data.value });
  } catch (err) {
    opts.onError?.(err as Error);
    return `<error expanding template: ${(err as Error).message}>`;
  }
}
