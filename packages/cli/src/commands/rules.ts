/** Where command output goes, one line per call. */
export type Out = (line: string) => void;

const stdout: Out = (line) => console.log(line);

/** `vigil check rules FILE…`: promtool's `check rules`; exit 0 when every file is valid, 1 otherwise, 2 on usage errors. */
export async function runCheckRules(files: string[], out: Out = stdout): Promise<number> {
  if (files.length === 0) {
    console.error('vigil check rules: expected at least one FILE');
    return 2;
  }
  const { checkRuleFiles } = await import('@vigil/server/rules/index.ts');
  return checkRuleFiles(files, out);
}

/** `vigil test rules FILE…`: promtool's rule unit tests; exit 0 when all pass, 1 otherwise. */
export async function runTestRules(args: string[], out: Out = stdout): Promise<number> {
  const { runRuleTestsCli } = await import('@vigil/server/rules/unittest/index.ts');
  return runRuleTestsCli(args, out);
}
