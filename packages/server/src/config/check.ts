import { existsSync } from 'node:fs';
import { ConfigErrors } from '@vigil/core';
import { loadConfigFile } from './load.ts';

/**
 * `promtool check config` for Vigil: prints `Checking FILE`, then
 * ` SUCCESS: FILE is valid prometheus config file syntax` or ` FAILED: …`
 * with each problem; referenced rule-file globs that match files must exist.
 * Returns the exit code (0 valid, 1 not).
 */
export async function checkConfigFiles(paths: readonly string[], out: (line: string) => void): Promise<number> {
  let failed = false;
  for (const path of paths) {
    out(`Checking ${path}`);
    try {
      const cfg = await loadConfigFile(path);
      for (const w of cfg.warnings) out(`  WARNING: ${w}`);
      const missing = cfg.rule_files.filter((f) => !/[*?[]/.test(f) && !existsSync(f));
      out(` SUCCESS: ${path} is valid prometheus config file syntax`);
      for (const f of missing) out(`  WARNING: rule file ${f} does not exist (rule_files globs that match nothing load no rules)`);
    } catch (err) {
      failed = true;
      if (err instanceof ConfigErrors) {
        out(` FAILED: ${err.errors.length} problem${err.errors.length === 1 ? '' : 's'}:`);
        for (const e of err.errors) out(`  ${e.message}`);
      } else out(` FAILED: ${(err as Error).message}`);
    }
    out('');
  }
  return failed ? 1 : 0;
}
