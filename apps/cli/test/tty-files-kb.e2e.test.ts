import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { baseEnv, cliPath, emulatorEnv, runCli, scratchDir } from './run-cli.js';

const directory = await scratchDir();
// 8 MiB of spaces: valid UTF-8 text for both type checks.
const text = join(directory, 'big.txt');
const handle = await open(text, 'w');
await handle.write(Buffer.alloc(8 * 1024 * 1024, 0x20));
await handle.close();

/** Runs `mstudio args...` on a pseudo-terminal (util-linux `script`), returning what the terminal showed. */
async function runOnTerminal(args: string[]): Promise<{ exitCode: number; screen: string }> {
  const command = [process.execPath, cliPath, ...args]
    .map((part) => `'${part.replaceAll("'", "'\\''")}'`)
    .join(' ');
  try {
    const { stdout } = await promisify(execFile)('script', ['-q', '-e', '-c', command, '/dev/null'], {
      env: { ...baseEnv(emulatorEnv()), TERM: 'xterm', COLUMNS: '120' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { exitCode: 0, screen: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { exitCode: failed.code, screen: failed.stdout };
  }
}

const bar = /\|[█░]{24}\| 100% 8388608\/8388608 bytes/;

describe('progress bars of files upload and kb upload', () => {
  it('are drawn on a terminal, in the file’s own bytes', async () => {
    const files = await runOnTerminal(['files', 'upload', '--purpose', 'file-extract', text]);
    expect(files.exitCode).toBe(0);
    expect(files.screen).toMatch(bar);
    expect(files.screen).toMatch(/file-fe-\S+ {2}\w+ {2}8388608 bytes {2}\S+big\.txt/);

    const kb = await runOnTerminal(['kb', 'upload', text]);
    expect(kb.exitCode).toBe(0);
    expect(kb.screen).toMatch(bar);
    expect(kb.screen).toMatch(/file_\S+ {2}\w+ {2}\S+big\.txt/);
  });

  it('are not drawn with --json, nor when output is piped', async () => {
    const json = await runOnTerminal(['--json', 'files', 'upload', '-p', 'file-extract', text]);
    expect(json.exitCode).toBe(0);
    expect(json.screen).not.toMatch(/[█░]/);

    const piped = await runCli(['kb', 'upload', text]);
    expect(piped.exitCode).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toMatch(/[█░\r]/);
    expect(piped.stdout).not.toContain(String.fromCharCode(27));
  });
});
