import { createEmulatorGlobalSetup } from '@x/emulator/vitest';

/** One emulator for every contract test, refusing chunked uploads so every body must carry its exact length. */
export const setup = createEmulatorGlobalSetup({
  requireContentLength: true,
  // The 1 GiB memory test uploads past the documented 500 MB; the client is given the same raised limit.
  files: {
    processingDelayMs: 200,
    limits: { batchMaxBytes: 2 * 1024 ** 3, fileExtractMaxBytes: 2 * 1024 ** 3 },
  },
});
