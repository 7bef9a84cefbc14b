import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, scratchDir } from './run-cli.js';
import { expectPlainOutput, fullBarOf8MiB, runOnTerminal } from './run-on-terminal.js';

const directory = await scratchDir();
// 8 MiB of spaces: valid UTF-8 text for both type checks.
const text = join(directory, 'big.txt');
const handle = await open(text, 'w');
await handle.write(Buffer.alloc(8 * 1024 * 1024, 0x20));
await handle.close();

describe('progress bars of files upload and kb upload', () => {
  it('are drawn on a terminal, in the file’s own bytes', async () => {
    const files = await runOnTerminal(['files', 'upload', '--purpose', 'file-extract', text]);
    expect(files.exitCode).toBe(0);
    expect(files.screen).toMatch(fullBarOf8MiB);
    expect(files.screen).toMatch(/file-fe-\S+ {2}\w+ {2}8388608 bytes {2}\S+big\.txt/);

    const kb = await runOnTerminal(['kb', 'upload', text]);
    expect(kb.exitCode).toBe(0);
    expect(kb.screen).toMatch(fullBarOf8MiB);
    expect(kb.screen).toMatch(/file_\S+ {2}\w+ {2}\S+big\.txt/);
  });

  it('are not drawn with --json, nor when output is piped', async () => {
    const json = await runOnTerminal(['--json', 'files', 'upload', '-p', 'file-extract', text]);
    expect(json.exitCode).toBe(0);
    expect(json.screen).not.toMatch(/[█░]/);

    const piped = await runCli(['kb', 'upload', text]);
    expectPlainOutput(piped);
  });
});
