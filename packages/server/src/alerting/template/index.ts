export type { TemplateData, TemplateAlert } from './data.ts';
export { templateData, goTime } from './data.ts';
