export { ruleParseOptions, loadRules, checkRuleFiles } from './load.ts';
