import { packageTestConfig } from '../../tooling/vitest-config.js';

export default packageTestConfig(import.meta.dirname, {
  // One emulator for the run; the end-to-end files spawn the built `mstudio` against it, one file at a time.
  globalSetup: ['./test/global-setup.ts'],
  fileParallelism: false,
  testTimeout: 120_000,
});
