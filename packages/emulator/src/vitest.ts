import type {} from 'vitest';
import { createAdminClient } from './admin-client.js';
import { createEmulator, type EmulatorOptions } from './create-emulator.js';
import type { EmulatorAccount } from './surface.js';

export type { AdminCallOptions, AdminClient, AdminClockState } from './admin-client.js';
export { AdminRequestError } from './admin-client.js';
export { createAdminClient };

/** What the global setup provides to tests under the key `emulator` (`inject('emulator')`). */
export interface ProvidedEmulator {
  /** The emulator's URL. */
  readonly url: string;
  /** The default account's credentials. */
  readonly account: EmulatorAccount;
}

declare module 'vitest' {
  /** Values a global setup provides to tests. */
  export interface ProvidedContext {
    /** The emulator started by `@x/emulator/vitest`. */
    emulator: ProvidedEmulator;
  }
}

/** The part of vitest's `TestProject` a global setup uses. */
export interface GlobalSetupProject {
  /** Makes a value available to tests through `inject(key)`. */
  provide(key: 'emulator', value: ProvidedEmulator): void;
}

/** A vitest global setup function: starts the emulator and returns its teardown. */
export type EmulatorGlobalSetup = (project: GlobalSetupProject) => Promise<() => Promise<void>>;

/**
 * Creates a vitest global setup that starts one emulator for the whole run, provides `{ url, account }` to tests as
 * `inject('emulator')`, and closes it after the run.
 *
 * @param options - Emulator options (port, clock, faults, surface options...).
 * @example
 * ```ts
 * // test/global-setup.ts
 * import { createEmulatorGlobalSetup } from '@x/emulator/vitest';
 * export const setup = createEmulatorGlobalSetup({ limits: { isRateLimited: false } });
 * ```
 */
export function createEmulatorGlobalSetup(options: EmulatorOptions = {}): EmulatorGlobalSetup {
  return async (project) => {
    const emulator = await createEmulator(options);
    project.provide('emulator', { url: emulator.url, account: emulator.account });
    return () => emulator.close();
  };
}

/**
 * A ready-made vitest global setup with default options: list this module in `globalSetup`, then read
 * `inject('emulator')` in tests.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({ test: { globalSetup: ['@x/emulator/vitest'] } });
 * // in a test
 * const { url, account } = inject('emulator');
 * ```
 */
export const setup: EmulatorGlobalSetup = createEmulatorGlobalSetup();
