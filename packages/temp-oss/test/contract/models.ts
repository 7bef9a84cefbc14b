/** Models named `test-large-model…` take files up to 2 GiB in the emulator. */
export const largeModel = 'test-large-model';
/** Models named `test-small-model…` take files up to 1 MiB in the emulator. */
export const smallModel = 'test-small-model';
