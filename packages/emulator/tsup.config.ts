import { libraryConfig } from '../../tooling/tsup-config.js';

export default libraryConfig(import.meta.dirname, {
  entry: ['src/index.ts', 'src/vitest.ts'],
  // The web console finds its built page beside the bundle through import.meta.url, in the CommonJS build too.
  shims: true,
});
