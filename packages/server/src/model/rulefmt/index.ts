export type { Position, RuleDesc, RuleGroupDesc, RuleFile } from './types.ts';
export type { ExprChecker, TemplateChecker, ParseOptions } from './parse.ts';
export { parseRuleFile, loadRuleFile } from './parse.ts';
