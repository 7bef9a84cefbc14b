import { packageTestConfig } from '../../tooling/vitest-config.js';

export default packageTestConfig(import.meta.dirname, {
  include: ['test/**/*.test.ts'],
  // Each file starts its own emulators; one file at a time keeps the loaded machine's timing out of the results.
  fileParallelism: false,
  testTimeout: 120_000,
});
