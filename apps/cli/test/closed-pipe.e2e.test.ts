import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, cliPath, emulatorEnv, scratchDir } from './run-cli.js';

const directory = await scratchDir();
// Enough lines that the CLI is still writing when the reader has gone.
const files = Array.from({ length: 400 }, (_, index) => `file-${index}.txt`);
await Promise.all(files.map((file) => writeFile(join(directory, file), `${file}\n`)));

/**
 * `mstudio args... | head -c1`: reads `stream` until the first chunk, then closes it as `head` does, and resolves
 * with the exit code and whatever the other stream printed.
 */
function runIntoClosingReader(
  args: readonly string[],
  stream: 'stdout' | 'stderr',
): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; other: string; firstChunk: string }> {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: directory,
    env: baseEnv(emulatorEnv()),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let other = '';
  let firstChunk = '';
  const closing = child[stream]!;
  closing.setEncoding('utf8').once('data', (chunk: string) => {
    firstChunk = chunk;
    closing.destroy();
  });
  const kept = stream === 'stdout' ? child.stderr! : child.stdout!;
  kept.setEncoding('utf8').on('data', (chunk: string) => {
    other += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal, other, firstChunk }));
  });
}

describe('mstudio writing into a reader that closes early', () => {
  it.each([
    ['text', ['hash', ...files]],
    ['--json', ['--json', 'hash', ...files]],
  ])('stops quietly with exit 0 when stdout closes (%s)', async (_mode, args) => {
    const run = await runIntoClosingReader(args, 'stdout');
    expect(run.firstChunk).toMatch(/file-0\.txt/);
    expect(run.other).toBe('');
    expect(run.exitCode).toBe(0);
  });

  it('stops quietly with exit 0 when stderr closes', async () => {
    const missing = files.map((file) => `missing-${file}`);
    const run = await runIntoClosingReader(['hash', ...missing], 'stderr');
    expect(run.firstChunk).toMatch(/^mstudio: missing-file-0\.txt: FILE_NOT_FOUND/);
    expect(run.other).toBe('');
    expect(run.exitCode).toBe(0);
  });
});
