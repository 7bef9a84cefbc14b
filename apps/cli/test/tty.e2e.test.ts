import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { baseEnv, cliPath, emulatorEnv, runCli, scratchDir } from './run-cli.js';

const directory = await scratchDir();
const file = join(directory, 'big.png');
const handle = await open(file, 'w');
await handle.truncate(8 * 1024 * 1024);
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

describe('progress bars', () => {
  it('are drawn on a terminal, for hash and for oss upload', async () => {
    const hash = await runOnTerminal(['hash', file]);
    expect(hash.exitCode).toBe(0);
    expect(hash.screen).toMatch(bar);
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
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toMatch(/[█░\r]/);
    expect(run.stdout).not.toContain(String.fromCharCode(27)); // no terminal escape sequences
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
  });
});
