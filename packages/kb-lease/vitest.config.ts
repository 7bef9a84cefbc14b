import { packageTestConfig } from '../../tooling/vitest-config.js';

export default packageTestConfig(import.meta.dirname, {
  // One emulator for the whole run; contract files run one after another because they move its clock and faults.
  globalSetup: ['./test/global-setup.ts'],
  fileParallelism: false,
});
