export { ruleParseOptions, loadRules, checkRuleFiles } from './load.ts';
export type { TemplateSample, TemplateFuncContext } from './template-funcs.ts';
export { TEMPLATE_PREAMBLE, templateFuncs, templateFuncNames, humanize, humanize1024, humanizeDuration, formatGoTime } from './template-funcs.ts';
export type { AlertTemplateData } from './expand.ts';
export { expandAlertTemplate } from './expand.ts';
