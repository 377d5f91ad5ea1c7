import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseDocument, LineCounter } from 'yaml';
import { ConfigErrors } from '@vigil/core';
import { loadConfigFile } from './load.ts';

/**
 * `promtool check config` for Vigil. For each file prints `Checking FILE`;
 * then either ` FAILED: …` with every problem, or the rule files found
 * (`  SUCCESS: N rule files found`) and
 * ` SUCCESS: FILE is valid prometheus config file syntax`, followed by a
 * `Checking RULEFILE` block per rule file (YAML syntax and `groups` shape;
 * the full rule check belongs to the rule loader). As in promtool, a rule
 * file named without a glob must exist. Returns the exit code: 0 when every
 * file passed, 1 otherwise.
 */
export async function checkConfigFiles(paths: readonly string[], out: (line: string) => void): Promise<number> {
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
    for (const rf of ruleFiles) {
      out(`Checking ${rf}`);
      const problem = await checkRuleFileShape(rf);
      if (typeof problem === 'number') out(`  SUCCESS: ${problem} rules found`);
      else {
        failed = true;
        out(`  FAILED:`);
        out(problem);
      }
      out('');
    }
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

/** Counts the rules of a rule file, or describes why it is not one (`file:line:col: message`). */
async function checkRuleFileShape(file: string): Promise<number | string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return `${file}: ${(err as Error).message}`;
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const pos = lc.linePos(e.pos[0]);
    return `${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`;
  }
  const data = doc.toJS() as { groups?: Array<{ rules?: unknown[] }> } | null;
  if (data === null) return 0;
  if (typeof data !== 'object' || !Array.isArray(data.groups)) return `${file}: expected a mapping with a "groups" list`;
  return data.groups.reduce((n, g) => n + (Array.isArray(g?.rules) ? g.rules.length : 0), 0);
}
