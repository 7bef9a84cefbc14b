import { describe, expect, inject, it } from 'vitest';
import { emulatorEnvironment, listExamples, runExample } from '../../../tooling/examples.js';
import './provided-context.js';

// Every README example, run as written against the emulator of the global setup, each with a temporary folder of
// its own that is removed afterwards.
const packageDir = `${import.meta.dirname}/..`;
const emulator = inject('emulator');

describe('examples run as written against the emulator', () => {
  for (const file of listExamples(packageDir)) {
    it(file.slice(file.lastIndexOf('/') + 1), { timeout: 150_000 }, async () => {
      const run = await runExample(file, {
        cwd: packageDir,
        env: emulatorEnvironment(emulator),
        // Running the sources under tsx needs the version tsup injects at build time.
        imports: ['./test/define-version.mjs'],
        timeoutMs: 120_000,
      });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout.length).toBeGreaterThan(0);
    });
  }
});
