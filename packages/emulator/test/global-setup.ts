// The package's own tests use the vitest helper exactly as other packages do.
export { setup } from '../src/vitest.js';
