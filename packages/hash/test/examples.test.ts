import { expect, it } from 'vitest';
import { listExamples, runExample } from '../../../tooling/examples.js';

// Hashing needs no service: the examples run with no emulator and no credentials.
for (const file of listExamples(`${import.meta.dirname}/..`)) {
  it(`runs ${file.slice(file.lastIndexOf('/') + 1)} as written`, async () => {
    const run = await runExample(file, { cwd: `${import.meta.dirname}/..` });
    expect(run.stderr).toBe('');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^[0-9a-f]{32} {2}/m);
  });
}
