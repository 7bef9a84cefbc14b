import { createEmulator, type Emulator } from '@x/emulator';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { emulatorEnvironment, listExamples, runExample } from '../../../tooling/examples.js';

// Every README example, run as written against an emulator and the redis-server of the global setup (skipped only
// where redis-server is not installed), each with a temporary folder of its own that is removed afterwards.
const packageDir = `${import.meta.dirname}/..`;
const port = inject('redisPort');

describe.skipIf(port === undefined)('README examples run as written against the emulator', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator();
  });
  afterAll(() => emulator?.close());

  for (const file of listExamples(packageDir)) {
    it(`${file.slice(file.lastIndexOf('/') + 1)} exits 0`, { timeout: 90_000 }, async () => {
      const run = await runExample(file, {
        cwd: packageDir,
        env: { ...emulatorEnvironment(emulator), REDIS_URL: `redis://127.0.0.1:${port}` },
        timeoutMs: 60_000,
      });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toContain('added');
    });
  }
});
