import { expect, inject, it } from 'vitest';
import { emulatorEnvironment, listExamples, runExample } from '../../../tooling/examples.js';
import './provided-context.js';

// Every README example, run as written against the emulator of the global setup.
const packageDir = `${import.meta.dirname}/..`;
const emulator = inject('emulator');

/** What an example prints when it did what the README says, beyond exiting 0. */
const expectedOutput: Record<string, RegExp> = {
  'upload.ts': /^file-fe-\S+ report\.txt \d+ /m,
  'upload-batch.ts': /refused before sending: line 2: /,
  'upload-many.ts': /3 failed .*slides\.pptx/,
  'content-and-download.ts': /bytes in .*copy\.txt: true\nreplaced: true/,
  'errors.ts': /FILE_TYPE_MISMATCH[\s\S]*404 NotFound/,
  'delete-old-files.ts': /deleted: true/,
  'retrieve-and-wait.ts': /now: processed/,
  'list-all.ts': /^\d+ files, \d+ bytes/m,
  'list.ts': /file-fe-\S+ report\.txt/,
};

for (const file of listExamples(packageDir)) {
  const name = file.slice(file.lastIndexOf('/') + 1);
  it(`runs ${name} against the emulator as written`, { timeout: 120_000 }, async () => {
    const run = await runExample(file, {
      cwd: packageDir,
      env: emulatorEnvironment(emulator),
      timeoutMs: 110_000,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(expectedOutput[name] ?? /file-fe-/);
  });
}
