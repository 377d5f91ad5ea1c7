// Bundles the `vigil` command (CLI, server, core) into packages/cli/dist/vigil.mjs
// so it starts without compiling TypeScript module by module; npm packages stay
// external and load from node_modules. bin/vigil.js uses the bundle only when
// it is newer than every source file, and the sources otherwise.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  entryPoints: [`${root}packages/cli/src/main.ts`],
  outfile: `${root}packages/cli/dist/vigil.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __vigilCreateRequire } from 'node:module'; const require = __vigilCreateRequire(import.meta.url);" },
  plugins: [
    {
      name: 'external-npm-packages',
      setup(b) {
        // Bundle Vigil's own workspaces; leave every npm package to node_modules.
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@vigil/') || args.path.startsWith('node:') ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});
