// test/global-setup.ts, listed in vitest's `globalSetup`: one emulator for the whole run, with your own options.
import { createEmulatorGlobalSetup } from '@x/emulator/vitest';

export const setup = createEmulatorGlobalSetup({ limits: { isRateLimited: false } });
