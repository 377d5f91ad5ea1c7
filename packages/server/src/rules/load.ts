import { loadRuleFile, type ParseOptions, type RuleFile } from '../model/rulefmt/index.ts';
import { parseExpr } from '../promql/index.ts';
import { Template } from '../model/gotemplate/index.ts';
import { templateFuncNames, TEMPLATE_PREAMBLE } from './template-funcs.ts';

/**
 * Rule-file parse options with the checks Prometheus applies when loading:
 * expressions must parse as PromQL, and label and annotation templates as
 * Go templates.
 */
export function ruleParseOptions(extra: Partial<ParseOptions> = {}): ParseOptions {
  return {
    checkExpr: (e) => void parseExpr(e),
    checkTemplate: (name, text) => {
      // Parse with Prometheus's preamble so `$labels`, `$value`… are defined, as in rulefmt.
      new Template(name, Object.fromEntries(templateFuncNames().map((f) => [f, () => undefined]))).parse(TEMPLATE_PREAMBLE + text);
    },
    ...extra,
  };
}

/** Loads one rule file with {@link ruleParseOptions}. @throws ConfigErrors */
export function loadRules(file: string, extra: Partial<ParseOptions> = {}): Promise<RuleFile> {
  return loadRuleFile(file, ruleParseOptions(extra));
}

/**
 * `promtool check rules`: prints `Checking FILE` then `  SUCCESS: N rules found`
 * or `  FAILED:` with one `file:line:col: …` line per problem, and a blank
 * line after each file. Returns the exit code: 0 when all files are valid, 1 otherwise.
 */
export async function checkRuleFiles(files: readonly string[], out: (line: string) => void): Promise<number> {
  let code = 0;
  for (const f of files) {
    out(`Checking ${f}`);
    try {
      const rf = await loadRules(f);
      const n = rf.groups.reduce((s, g) => s + g.rules.length, 0);
      out(`  SUCCESS: ${n} rules found`);
    } catch (err) {
      code = 1;
      out('  FAILED:');
      const e = err as { errors?: Array<{ message: string }>; message: string; code?: string };
      if (e.code === 'ENOENT') out(`${f}: ${e.message}`);
      else if (e.errors) for (const x of e.errors) out(x.message);
      else out(`${f}: ${e.message}`);
    }
    out('');
  }
  return code;
}
