import { VigilError } from '@vigil/core';
import type { TemplateData } from './data.ts';
import { DEFAULT_TEMPLATES } from './defaults.ts';

/** Renders one templated config string (a title, text, URL…) against a notification's data; `html` escapes values (email bodies). */
export type Render = (text: string, data: TemplateData, opts?: { html?: boolean }) => string;

/** Go templates with Alertmanager's defaults and functions (see engine.ts). */
export interface TemplateEngine {
  render(text: string, data: TemplateData, opts?: { html?: boolean }): string;
}

const TEMPLATE_CALL = /^\s*\{\{-?\s*template\s+"([^"]+)"\s+\.\s*-?\}\}\s*$/;

/**
 * Builds the renderer integrations use. Strings without `{{` are literal.
 * With `engine`, everything else is a Go template. Without it (unit tests
 * of integrations), a string that only calls one of Alertmanager's default
 * templates is rendered by {@link DEFAULT_TEMPLATES}.
 * @throws VigilError `VIGIL_ERR_TEMPLATE_UNSUPPORTED` for other templates without an engine.
 */
export function createRenderer(engine?: TemplateEngine): Render {
  return (text, data, opts) => {
    if (!text.includes('{{')) return text;
    if (engine) return engine.render(text, data, opts);
    const m = TEMPLATE_CALL.exec(text);
    if (m && DEFAULT_TEMPLATES[m[1]!]) return DEFAULT_TEMPLATES[m[1]!]!(data);
    if (text === '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}') return data.status === 'firing' ? 'danger' : 'good';
    throw new VigilError('VIGIL_ERR_TEMPLATE_UNSUPPORTED', 'custom templates need the Go-template engine, which is not available in this build');
  };
}
