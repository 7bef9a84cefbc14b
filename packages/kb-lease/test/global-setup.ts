import { createEmulatorGlobalSetup } from '@x/emulator/vitest';

/**
 * One emulator for every contract test: chunked uploads refused (every PUT must carry its exact length), and leases
 * granted up to 2 GiB so the memory test can stream a 1 GiB source.
 */
export const setup = createEmulatorGlobalSetup({
  requireContentLength: true,
  bailian: { maxFileSizeBytes: 2 * 1024 * 1024 * 1024 },
});
