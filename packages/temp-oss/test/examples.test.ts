import { expect, inject, it } from 'vitest';
import { emulatorEnvironment, listExamples, runExample } from '../../../tooling/examples.js';
import './provided-context.js';

// Every README example, run as written against the emulator of the global setup.
const packageDir = `${import.meta.dirname}/..`;
const emulator = inject('emulator');

for (const file of listExamples(packageDir)) {
  it(`runs ${file.slice(file.lastIndexOf('/') + 1)} against the emulator as written`, async () => {
    const run = await runExample(file, { cwd: packageDir, env: emulatorEnvironment(emulator) });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/oss:\/\/dashscope-instant\//);
  });
}
