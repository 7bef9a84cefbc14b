import { packageTestConfig } from '../../tooling/vitest-config.js';

export default packageTestConfig(import.meta.dirname, {
  include: ['test/**/*.test.ts'],
  // One browser and one emulator per file; the steps of a file build on each other.
  fileParallelism: false,
  testTimeout: 60_000,
  hookTimeout: 60_000,
});
