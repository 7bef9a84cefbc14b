import { createEmulatorGlobalSetup } from '@x/emulator/vitest';

/**
 * One emulator for every end-to-end file; each test points the spawned `mstudio` at it through MSTUDIO_ENDPOINT.
 * Documents parse and index jobs finish within 100 ms of emulated time, so waiting commands spend their time polling,
 * not waiting for the service's default seconds.
 */
export const setup = createEmulatorGlobalSetup({
  limits: { isRateLimited: false },
  bailian: {
    parseSchedule: { queuedAfterMs: 20, parsingAfterMs: 40, indexBuiltAfterMs: 60, doneAfterMs: 80 },
    indexJobSchedule: { runningAfterMs: 20, doneAfterMs: 100 },
  },
});
