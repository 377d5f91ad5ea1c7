import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigErrors } from '@vigil/core';
import { loadRuleFile } from '../model/rulefmt/index.ts';
import { loadConfigFile } from './load.ts';

/** Options of {@link checkConfigFiles}. */
export interface CheckConfigOptions {
  /**
   * Checks the rule files a configuration references and prints promtool's
   * per-file block (`Checking FILE`, `  SUCCESS: N rules found` or
   * `  FAILED:` …, blank line); returns 0 or 1. The CLI passes the rules
   * subsystem's full check (PromQL and templates); the default checks the
   * rule-file structure with `model/rulefmt` without parsing expressions.
   */
  checkRuleFiles?: (files: readonly string[], out: (line: string) => void) => Promise<number>;
}

/**
 * `promtool check config` for Vigil. For each file prints `Checking FILE`;
 * then either ` FAILED: …` with every problem, or the rule files found
 * (`  SUCCESS: N rule files found`) and
 * ` SUCCESS: FILE is valid prometheus config file syntax`, followed by a
 * `Checking RULEFILE` block per rule file. As in promtool, a rule file named
 * without a glob must exist. Returns the exit code: 0 when every file
 * passed, 1 otherwise.
 */
export async function checkConfigFiles(paths: readonly string[], out: (line: string) => void, opts: CheckConfigOptions = {}): Promise<number> {
  const checkRules = opts.checkRuleFiles ?? checkRuleStructure;
  let failed = false;
  for (const path of paths) {
    out(`Checking ${path}`);
    let ruleFiles: string[];
    try {
      const cfg = await loadConfigFile(path);
      ruleFiles = await expandRuleFiles(cfg.rule_files);
      for (const w of cfg.warnings) out(`  WARNING: ${w}`);
    } catch (err) {
      failed = true;
      if (err instanceof ConfigErrors) {
        out(` FAILED: ${err.errors.length} problem${err.errors.length === 1 ? '' : 's'}:`);
        for (const e of err.errors) out(`  ${e.message}`);
      } else out(` FAILED: ${(err as Error).message}`);
      out('');
      continue;
    }
    if (ruleFiles.length) out(`  SUCCESS: ${ruleFiles.length} rule files found`);
    out(` SUCCESS: ${path} is valid prometheus config file syntax`);
    out('');
    if (ruleFiles.length && (await checkRules(ruleFiles, out)) !== 0) failed = true;
  }
  return failed ? 1 : 0;
}

/** Expands rule_files globs; a pattern without glob characters must name an existing file (promtool's rule). */
async function expandRuleFiles(patterns: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of patterns) {
    if (!/[*?[]/.test(basename(p))) {
      try {
        await stat(p);
      } catch {
        throw new Error(`${JSON.stringify(p)} does not point to an existing file`);
      }
      out.push(p);
      continue;
    }
    const re = new RegExp('^' + basename(p).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
    try {
      for (const f of (await readdir(dirname(p))).sort()) if (re.test(f)) out.push(join(dirname(p), f));
    } catch {
      // A glob over a missing directory matches nothing, as filepath.Glob.
    }
  }
  return out;
}

/** The default rule-file check: structure and positions from model/rulefmt, expressions only checked to be non-empty. */
async function checkRuleStructure(files: readonly string[], out: (line: string) => void): Promise<number> {
  let code = 0;
  for (const f of files) {
    out(`Checking ${f}`);
    try {
      const rf = await loadRuleFile(f);
      out(`  SUCCESS: ${rf.groups.reduce((n, g) => n + g.rules.length, 0)} rules found`);
    } catch (err) {
      code = 1;
      out('  FAILED:');
      if (err instanceof ConfigErrors) for (const e of err.errors) out(e.message);
      else out((err as Error).message);
    }
    out('');
  }
  return code;
}
