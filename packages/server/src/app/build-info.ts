import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverPackageDir } from './paths.ts';
import type { BuildInfo } from '../api/v1/index.ts';

/** Version facts for `/api/v1/status/buildinfo` and `vigil --version`, read from the package manifest. */
export function buildInfo(): BuildInfo {
  const pkg = JSON.parse(readFileSync(join(serverPackageDir(), 'package.json'), 'utf8')) as { version: string };
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
