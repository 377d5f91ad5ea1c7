import { Template } from '../model/gotemplate/index.ts';
import { TEMPLATE_PREAMBLE, templateFuncs, type TemplateSample } from './template-funcs.ts';

/** The data Prometheus gives label and annotation templates. */
export interface AlertTemplateData {
  labels: Record<string, string>;
  externalLabels: Record<string, string>;
  externalURL: string;
  value: number;
}

/** Per-expansion callbacks. */
export interface ExpandOptions {
  query?: (expr: string) => Promise<TemplateSample[]>;
  onError?: (err: Error) => void;
}

/**
 * Expands the label and annotation templates of one alerting rule the way
 * Prometheus does: preamble, `missingkey=zero`, the full function map; a
 * template error becomes the text `<error expanding template: …>` (reported
 * through `onError`, never thrown), so one bad annotation cannot stop a rule.
 *
 * Parsed templates are cached per text, so a rule with many alerts parses
 * each template once. Not safe for concurrent `expand` calls: the function
 * map reads the options of the call in progress (a rule never evaluates
 * concurrently with itself).
 */
export class AlertTemplateExpander {
  private readonly cache = new Map<string, Template | Error>();
  private current: { opts: ExpandOptions; externalURL: string } = { opts: {}, externalURL: '' };
  private readonly funcs = templateFuncs({
    query: (e) => {
      const q = this.current.opts.query;
      if (!q) return Promise.reject(new Error('query is not available here'));
      return q(e);
    },
    externalURL: undefined,
    template: () => undefined,
  });

  constructor(readonly alertName: string) {
    // `externalURL`/`pathPrefix` and `tmpl` depend on the call, so bind them late.
    const self = this;
    this.funcs.externalURL = () => self.current.externalURL;
    this.funcs.pathPrefix = () => {
      try {
        return new URL(self.current.externalURL).pathname.replace(/^\/$/, '');
      } catch {
        return '';
      }
    };
  }

  private template(text: string): Template | Error {
    let t = this.cache.get(text);
    if (!t) {
      try {
        const tmpl = new Template(`__alert_${this.alertName}`, { ...this.funcs, tmpl: (name: string, data: unknown) => templateFuncs({ template: () => tmpl }).tmpl!(name, data) });
        tmpl.parse(TEMPLATE_PREAMBLE + text);
        t = tmpl;
      } catch (err) {
        // Prometheus's wording: `error parsing template NAME: template: NAME:1: …`.
        t = new Error(`error parsing template __alert_${this.alertName}: ${(err as Error).message}`, { cause: err });
      }
      this.cache.set(text, t);
    }
    return t;
  }

  /** Expands `text`; never throws. */
  async expand(text: string, data: AlertTemplateData, opts: ExpandOptions = {}): Promise<string> {
    if (!text.includes('{{')) return text;
    const t = this.template(text);
    const fail = (err: Error, parse = false) => {
      opts.onError?.(err);
      return `<error expanding template: ${parse ? '' : `error executing template __alert_${this.alertName}: `}${err.message}>`;
    };
    if (t instanceof Error) return fail(t, true);
    this.current = { opts, externalURL: data.externalURL };
    const d = { Labels: data.labels, ExternalLabels: data.externalLabels, ExternalURL: data.externalURL, Value: data.value };
    try {
      // Synchronous unless a function returned a Promise (`query`).
      return t.execute(d);
    } catch (err) {
      if (!/executeAsync/.test((err as Error).message)) return fail(err as Error);
    }
    try {
      return await t.executeAsync(d);
    } catch (err) {
      return fail(err as Error);
    }
  }
}

/** Expands one template of alert `alertName` without caching (tests, one-off use). */
export function expandAlertTemplate(alertName: string, text: string, data: AlertTemplateData, opts: ExpandOptions = {}): Promise<string> {
  return new AlertTemplateExpander(alertName).expand(text, data, opts);
}
