import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, scratchDir } from './run-cli.js';
import { expectPlainOutput, fullBarOf8MiB, runOnTerminal } from './run-on-terminal.js';

const directory = await scratchDir();
const file = join(directory, 'big.png');
const handle = await open(file, 'w');
await handle.truncate(8 * 1024 * 1024);
await handle.close();

describe('progress bars', () => {
  it('are drawn on a terminal, for hash and for oss upload', async () => {
    const hash = await runOnTerminal(['hash', file]);
    expect(hash.exitCode).toBe(0);
    expect(hash.screen).toMatch(fullBarOf8MiB);
    expect(hash.screen).toMatch(/[0-9a-f]{32} {2}\S+big\.png/);

    const upload = await runOnTerminal(['oss', 'upload', '--model', 'qwen-vl-plus', file]);
    expect(upload.exitCode).toBe(0);
    expect(upload.screen).toMatch(/\|[█░]{24}\| 100%/);
    expect(upload.screen).toMatch(/oss:\/\/dashscope-instant\/\S+big\.png/);
  });

  it('are not drawn on a terminal with --json or --quiet', async () => {
    for (const flag of ['--json', '--quiet']) {
      const run = await runOnTerminal([flag, 'hash', file]);
      expect(run.exitCode).toBe(0);
      expect(run.screen).not.toMatch(/[█░]|bytes/);
    }
  });

  it('are never written when output is piped', async () => {
    const run = await runCli(['oss', 'upload', '--model', 'qwen-vl-plus', file]);
    expectPlainOutput(run);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
  });
});
