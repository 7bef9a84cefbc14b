import { expect, it } from 'vitest';
import { listExamples, runExample } from '../../../tooling/examples.js';

// The emulator's examples start emulators of their own, as a user's program or test would.
const packageDir = `${import.meta.dirname}/..`;

for (const file of listExamples(packageDir)) {
  it(`runs ${file.slice(file.lastIndexOf('/') + 1)} as written`, async () => {
    const run = await runExample(file, { cwd: packageDir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
  });
}
