export type { TemplateData, TemplateAlert } from './data.ts';
export { templateData, goTime } from './data.ts';
export { DEFAULT_TEMPLATES, subject, textAlertList } from './defaults.ts';
export type { Render, TemplateEngine } from './render.ts';
export { createRenderer } from './render.ts';
export type { GoTemplateData, GoAlert, GoAlerts } from './funcs.ts';
export { TEMPLATE_FUNCS, KV, goTemplateData, goFormatG, humanize, humanize1024, humanizeDuration, humanizePercentage, reReplaceAll } from './funcs.ts';
export { createTemplateEngine, loadTemplateFiles } from './engine.ts';
