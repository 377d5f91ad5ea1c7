export { runScript } from './run.ts';
export type { CaseResult, FileResult, RunOptions } from './run.ts';
export { runSuite, summarize, conformanceEngine, TESTDATA_DIR } from './suite.ts';
export type { FileSummary } from './suite.ts';
export { parseScript, ScriptError } from './script.ts';
export type { Command, EvalCmd, LoadCmd } from './script.ts';
export { classify } from './classify.ts';
export type { CaseGroup } from './classify.ts';
export { almostEqual, compareResult } from './compare.ts';
