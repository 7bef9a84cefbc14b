import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAdminClient } from '@x/emulator/vitest';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { interruptedBySigint, interruptWhenStalled, scratchDir } from './run-cli.js';

const directory = await scratchDir();
await writeFile(join(directory, 'cat.png'), 'png');
const admin = createAdminClient(inject('emulator').url);
afterEach(() => admin.clearFaults());

describe('Ctrl-C', () => {
  it('aborts the upload in flight, cleans up and exits 130 with one line', async () => {
    // The service never answers getPolicy: the upload waits until it is interrupted.
    const run = await interruptWhenStalled(
      admin,
      'dashscope.getPolicy',
      ['oss', 'upload', '--model', 'qwen-vl-plus', 'cat.png'],
      { cwd: directory },
    );
    expect(run).toEqual(interruptedBySigint);
  });
});
