import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { Template } from '../../model/gotemplate/index.ts';
import type { TemplateData } from './data.ts';
import { TEMPLATE_FUNCS, goTemplateData } from './funcs.ts';
import type { TemplateEngine } from './render.ts';
import { serverAsset } from '../../app/paths.ts';

const DEFAULT_TMPL = serverAsset('alerting/template/default.tmpl');

/** Expands the `templates:` globs (only `*` and `?` in the last path segment, as most configs use) relative to the config file. */
export function loadTemplateFiles(globs: readonly string[], configFile: string): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = [];
  for (const g of globs) {
    const abs = isAbsolute(g) ? g : resolve(dirname(configFile), g);
    const dir = dirname(abs);
    const pat = new RegExp(`^${basename(abs).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => pat.test(n)).sort();
    } catch {
      // Alertmanager ignores globs that match nothing.
    }
    for (const n of names) out.push({ name: n, text: readFileSync(join(dir, n), 'utf8') });
  }
  return out;
}

/**
 * Go templates as Alertmanager runs them: its default.tmpl, then the user's
 * template files, the Alertmanager function map, and data with Go names
 * (`.Status`, `.Alerts.Firing`, `.CommonLabels.SortedPairs`…). Parsed texts
 * are cached per engine (a config reload builds a new engine).
 * @throws TemplateParseError when a template file is invalid.
 */
export function createTemplateEngine(files: ReadonlyArray<{ name: string; text: string }> = []): TemplateEngine {
  const build = (html: boolean) => {
    const t = new Template('alertmanager', TEMPLATE_FUNCS as never, { html, missingKey: 'zero' });
    t.parse(readFileSync(DEFAULT_TMPL, 'utf8'), 'default.tmpl');
    for (const f of files) t.parse(f.text, f.name);
    return t;
  };
  const sets = { text: build(false), html: build(true) };
  const cache = { text: new Map<string, Template>(), html: new Map<string, Template>() };
  return {
    render(text: string, data: TemplateData, opts?: { html?: boolean }): string {
      const mode = opts?.html ? 'html' : 'text';
      let t = cache[mode].get(text);
      if (!t) {
        t = sets[mode].clone().parse(text, '__vigil_render');
        if (cache[mode].size > 1000) cache[mode].clear();
        cache[mode].set(text, t);
      }
      return t.execute(goTemplateData(data), '__vigil_render');
    },
  };
}
