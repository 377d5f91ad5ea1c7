import { runRuleTestFile, type RuleTestOptions } from './run.ts';

/**
 * `promtool test rules [--run RE]… [--ignore-unknown-fields] FILE…`: prints
 * `Unit Testing:  FILE` then `  SUCCESS` or `  FAILED:` with the problems.
 * Returns 0 when every file passed, 1 otherwise, 2 on usage errors.
 */
export async function runRuleTestsCli(args: readonly string[], out: (line: string) => void): Promise<number> {
  const opts: RuleTestOptions = { run: [] };
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--run') opts.run!.push(args[++i] ?? '');
    else if (a.startsWith('--run=')) opts.run!.push(a.slice(6));
    else if (a === '--ignore-unknown-fields') opts.ignoreUnknownFields = true;
    else if (a.startsWith('--')) {
      out(`vigil test rules: unknown flag ${a}`);
      return 2;
    } else files.push(a);
  }
  if (files.length === 0) {
    out('vigil test rules: expected at least one FILE');
    return 2;
  }
  let code = 0;
  for (const f of files) {
    out(`Unit Testing:  ${f}`);
    const r = await runRuleTestFile(f, opts);
    if (r.errors.length === 0) out('  SUCCESS');
    else {
      code = 1;
      out('  FAILED:');
      for (const e of r.errors) {
        out(e);
        out('');
      }
    }
    out('');
  }
  return code;
}
