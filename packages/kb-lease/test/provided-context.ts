import type { ProvidedEmulator } from '@x/emulator/vitest';

// What the global setup provides, declared against the vitest this package resolves (the emulator's own declaration
// may reach a different copy of vitest in the workspace).
declare module 'vitest' {
  interface ProvidedContext {
    emulator: ProvidedEmulator;
  }
}
