import { packageTestConfig } from '../../tooling/vitest-config.js';

export default packageTestConfig(import.meta.dirname, {
  // One emulator for the whole run; contract files run one after another because they share its faults and quotas.
  globalSetup: ['./test/global-setup.ts'],
  fileParallelism: false,
  // The memory tests force a collection before they take their baseline.
  execArgv: ['--expose-gc'],
});
