import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Expands one rule-file pattern as Go's `filepath.Glob` does for the last
 * path element (`*`, `?`); a pattern without glob characters is returned
 * as is, whether or not it exists.
 */
export async function globRuleFiles(pattern: string): Promise<string[]> {
  if (!/[*?[]/.test(basename(pattern))) return [pattern];
  const re = new RegExp('^' + basename(pattern).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
  try {
    return (await readdir(dirname(pattern))).sort().filter((f) => re.test(f)).map((f) => join(dirname(pattern), f));
  } catch {
    return [];
  }
}
