import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { baseEnv, type CliRun, cliPath, emulatorEnv } from './run-cli.js';

/** A full progress bar of an 8 MiB file, as drawn in the file's own bytes. */
export const fullBarOf8MiB = /\|[█░]{24}\| 100% 8388608\/8388608 bytes/;

/** Runs `mstudio args...` on a pseudo-terminal (util-linux `script`), returning what the terminal showed. */
export async function runOnTerminal(args: readonly string[]): Promise<{ exitCode: number; screen: string }> {
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

/** Asserts that a run whose output was piped succeeded with no bar, carriage return or escape sequence. */
export function expectPlainOutput(run: CliRun): void {
  expect(run.exitCode).toBe(0);
  expect(run.stderr).toBe('');
  expect(run.stdout).not.toMatch(/[█░\r]/);
  expect(run.stdout).not.toContain(String.fromCharCode(27)); // no terminal escape sequences
}
