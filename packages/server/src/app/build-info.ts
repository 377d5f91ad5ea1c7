import { readFileSync } from 'node:fs';
import type { BuildInfo } from '../api/v1/index.ts';

/** Version facts for `/api/v1/status/buildinfo` and `vigil --version`, read from the package manifest. */
export function buildInfo(): BuildInfo {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    version: pkg.version,
    revision: process.env.VIGIL_REVISION ?? 'unknown',
    branch: process.env.VIGIL_BRANCH ?? 'unknown',
    buildUser: 'vigil',
    buildDate: 'unknown',
    // Prometheus clients read this field; Vigil reports its runtime instead of Go's.
    goVersion: `node${process.versions.node}`,
  };
}
