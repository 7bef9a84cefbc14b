import { createEmulator, type Emulator } from '@x/emulator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emulatorEnvironment, listExamples, runExample } from '../../../tooling/examples.js';

const packageDir = `${import.meta.dirname}/..`;
let emulator: Emulator;
beforeAll(async () => {
  emulator = await createEmulator();
});
afterAll(() => emulator.close());

for (const file of listExamples(packageDir)) {
  it(`runs ${file.slice(file.lastIndexOf('/') + 1)} against the emulator as written`, async () => {
    const run = await runExample(file, { cwd: packageDir, env: emulatorEnvironment(emulator) });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
  });
}
