import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAdminClient } from '@x/emulator/vitest';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { scratchDir, startCli } from './run-cli.js';

const directory = await scratchDir();
await writeFile(join(directory, 'cat.png'), 'png');
const admin = createAdminClient(inject('emulator').url);
afterEach(() => admin.clearFaults());

describe('Ctrl-C', () => {
  it('aborts the upload in flight, cleans up and exits 130 with one line', async () => {
    // The service never answers getPolicy: the upload waits until it is interrupted.
    await admin.addFault({ route: 'dashscope.getPolicy', fault: { type: 'stall' } });
    const { child, done } = startCli(['oss', 'upload', '--model', 'qwen-vl-plus', 'cat.png'], {
      cwd: directory,
    });
    // The rule is used up once the request has reached the emulator and stalled.
    while ((await admin.faults()).length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGINT');
    const run = await done;
    expect(run.exitCode).toBe(130);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('mstudio: interrupted by SIGINT\n');
  });
});
