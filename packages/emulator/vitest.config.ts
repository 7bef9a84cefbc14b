import { packageTestConfig } from '../../tooling/vitest-config.js';

export default packageTestConfig(import.meta.dirname, {
  globalSetup: ['./test/global-setup.ts'],
  // The 1 GiB memory tests measure what the emulator holds, not when V8 gets round to freeing socket buffers: from
  // Node 22 on, V8 sizes its young generation from the machine's memory and lets ~64 MiB of already-released
  // 64 KiB read buffers pile up between collections, even in a bare `pipeline(request, file)` server. A 1 MiB
  // semi-space makes it collect them promptly (Node 20 behaves so by default).
  execArgv: ['--max-semi-space-size=1', '--expose-gc'],
});
