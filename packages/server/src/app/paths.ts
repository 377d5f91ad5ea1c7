import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Where Vigil's own files are, found through module resolution rather than
 * relative to the calling source file, so they are found the same way when
 * running from the TypeScript sources and from the bundled command.
 */
const require = createRequire(import.meta.url);

/** The server package's directory (holds package.json and src/). */
export function serverPackageDir(): string {
  // <server>/src/app/paths.ts, resolved through the package's exports.
  return dirname(dirname(dirname(require.resolve('@vigil/server/app/paths.ts'))));
}

/** A file shipped inside the server package's src/ (e.g. `alerting/template/default.tmpl`). */
export function serverAsset(rel: string): string {
  return join(serverPackageDir(), 'src', rel);
}

/** The built web UI. */
export function uiDistDir(): string {
  return join(dirname(require.resolve('@vigil/ui/package.json')), 'dist');
}
