export type { TemplateOptions } from './template.ts';
export { Template, parseTemplate } from './template.ts';
export type { TemplateFunc } from './exec.ts';
export { truth } from './exec.ts';
export { TemplateParseError, TemplateExecError } from './errors.ts';
export { SafeHTML, formatValue, formatFloat, sprintf, sprint, quote } from './format.ts';
export { htmlEscape, jsEscape, queryEscape } from './escape.ts';
