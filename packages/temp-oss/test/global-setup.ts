import { createEmulatorGlobalSetup } from '@x/emulator/vitest';
import { largeModel, smallModel } from './contract/models.js';

/** One emulator for every contract test, refusing chunked uploads so every body must carry its exact length. */
export const setup = createEmulatorGlobalSetup({
  requireContentLength: true,
  dashscope: {
    modelSizeLimits: [
      { model: new RegExp(`^${largeModel}`), maxFileSizeMb: 2048 },
      { model: new RegExp(`^${smallModel}`), maxFileSizeMb: 1 },
    ],
  },
});
