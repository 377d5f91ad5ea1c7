#!/usr/bin/env node
// The `vigil` command. `npm run build` bundles it into dist/vigil.mjs, which
// starts fast; without a bundle, or when a source file is newer than it (a
// developer's edit), Vigil runs from its TypeScript sources through tsx's
// loader, so an `npm install` is all it takes to run it either way.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const here = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(here, 'dist', 'vigil.mjs');

function newestSource(dir, limit) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (newestSource(p, limit)) return true;
    } else if (statSync(p).mtimeMs > limit) return true;
  }
  return false;
}

function bundleIsFresh() {
  if (process.env.VIGIL_FROM_SOURCE || !existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  return !['core', 'server', 'cli', 'sdk', 'demo'].some((pkg) => newestSource(join(here, '..', pkg, 'src'), built));
}

let main;
if (bundleIsFresh()) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
