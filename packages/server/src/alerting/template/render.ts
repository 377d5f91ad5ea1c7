import { VigilError } from '@vigil/core';
import type { TemplateData } from './data.ts';
import { DEFAULT_TEMPLATES } from './defaults.ts';

/** Renders one templated config string (a title, text, URL…) against a notification's data. */
export type Render = (text: string, data: TemplateData) => string;

/** A Go text/template engine, as `model/gotemplate` provides. */
export interface TemplateEngine {
  render(text: string, data: TemplateData): string;
}

const TEMPLATE_CALL = /^\s*\{\{-?\s*template\s+"([^"]+)"\s+\.\s*-?\}\}\s*$/;

/**
 * Builds the renderer integrations use. Strings without `{{` are literal.
 * A string that only calls one of Alertmanager's default templates is
 * rendered by {@link DEFAULT_TEMPLATES}. Anything else needs `engine`.
 * @throws VigilError `VIGIL_ERR_TEMPLATE_UNSUPPORTED` when it is missing.
 */
export function createRenderer(engine?: TemplateEngine): Render {
  return (text, data) => {
    if (!text.includes('{{')) return text;
    const m = TEMPLATE_CALL.exec(text);
    if (m && DEFAULT_TEMPLATES[m[1]!]) return DEFAULT_TEMPLATES[m[1]!]!(data);
    if (text === '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}') return data.status === 'firing' ? 'danger' : 'good';
    if (engine) return engine.render(text, data);
    throw new VigilError('VIGIL_ERR_TEMPLATE_UNSUPPORTED', 'custom templates need the Go-template engine, which is not available in this build');
  };
}
