import type { EmulatorAccount } from './surface.js';

/**
 * The account every emulator has built in. Its values are fixed and obviously fake, so tests and demos can hard-code
 * them: API key `sk-emulator-default-0000000000000000`, AccessKey pair `EMULATOR-AK-DEFAULT` /
 * `emulator-default-secret-not-a-real-one`, workspace `llm-emulator`, category `cate_emulator_default`.
 *
 * @example
 * ```ts
 * const emulator = await createEmulator();
 * emulator.account.apiKey === defaultAccount.apiKey; // true
 * ```
 */
export const defaultAccount: EmulatorAccount = Object.freeze({
  name: 'default',
  apiKey: 'sk-emulator-default-0000000000000000',
  accessKeyId: 'EMULATOR-AK-DEFAULT',
  accessKeySecret: 'emulator-default-secret-not-a-real-one',
  workspaceId: 'llm-emulator',
  categoryId: 'cate_emulator_default',
});
