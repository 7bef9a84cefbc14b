// Bundles the web console (Preact) into dist/console: index.html, app.js, app.css. Runs after the library build,
// which empties dist. Uses tsup (esbuild) like every package build; nothing is fetched at run time.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'dist', 'console');
await build({
  entry: { app: join(here, 'src', 'main.tsx') },
  outDir,
  format: ['esm'],
  platform: 'browser',
  target: 'es2022',
  bundle: true,
  noExternal: [/.*/],
  minify: true,
  clean: false,
  dts: false,
  sourcemap: false,
  silent: true,
  config: false,
  outExtension: () => ({ js: '.js' }),
  esbuildOptions(options) {
    options.jsx = 'automatic';
    options.jsxImportSource = 'preact';
    options.legalComments = 'none';
  },
});
await mkdir(outDir, { recursive: true });
await copyFile(join(here, 'index.html'), join(outDir, 'index.html'));
await copyFile(join(here, 'app.css'), join(outDir, 'app.css'));
