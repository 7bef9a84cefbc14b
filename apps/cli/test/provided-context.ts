import type { ProvidedEmulator } from '@x/emulator/vitest';

// What the global setup provides, declared against the vitest this package resolves.
declare module 'vitest' {
  interface ProvidedContext {
    emulator: ProvidedEmulator;
  }
}
