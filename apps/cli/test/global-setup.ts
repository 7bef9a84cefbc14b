import { createEmulatorGlobalSetup } from '@x/emulator/vitest';

/** One emulator for every end-to-end file; each test points the spawned `mstudio` at it through MSTUDIO_ENDPOINT. */
export const setup = createEmulatorGlobalSetup({ limits: { isRateLimited: false } });
