import { packageTestConfig } from '../../tooling/vitest-config.js';

export default packageTestConfig(import.meta.dirname, { globalSetup: ['./test/global-setup.ts'] });
