export { runRuleTestFile, floatEq } from './run.ts';
export type { RuleTestOptions, RuleTestFileResult } from './run.ts';
export { runRuleTestsCli } from './cli.ts';
export { parseTestFile } from './parse.ts';
export type { TestFile, TestGroup, AlertTestCase, PromqlTestCase } from './types.ts';
