import { packageTestConfig } from '../../tooling/vitest-config.js';

export default packageTestConfig(import.meta.dirname, {
  // One redis-server for the run; files run one after another (the multi-process test needs the two cores).
  globalSetup: ['test/global-setup.ts'],
  fileParallelism: false,
});
