import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli, scratchDir } from './run-cli.js';

const directory = await scratchDir();
const first = join(directory, 'first.txt');
const second = join(directory, 'second file.bin');
await writeFile(first, 'hello\n');
await writeFile(second, Buffer.alloc(3 * 1024 * 1024, 7));
const md5 = (text: string | Buffer) => createHash('md5').update(text).digest('hex');

describe('mstudio hash', () => {
  it("prints md5sum's format, which md5sum -c accepts", async () => {
    const run = await runCli(['hash', 'first.txt', 'second file.bin'], { cwd: directory });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      `${md5('hello\n')}  first.txt\n${md5(Buffer.alloc(3 * 1024 * 1024, 7))}  second file.bin\n`,
    );
    await writeFile(join(directory, 'sums.md5'), run.stdout);
    const check = execFileSync('md5sum', ['-c', 'sums.md5'], { cwd: directory, encoding: 'utf8' });
    expect(check).toBe('first.txt: OK\nsecond file.bin: OK\n');
  });

  it('prints one JSON object per file with --json', async () => {
    const run = await runCli(['--json', 'hash', first, second]);
    expect(run.exitCode).toBe(0);
    expect(jsonLines(run.stdout)).toEqual([
      { file: first, md5: md5('hello\n'), sizeBytes: 6 },
      { file: second, md5: md5(Buffer.alloc(3 * 1024 * 1024, 7)), sizeBytes: 3 * 1024 * 1024 },
    ]);
  });

  it('names a missing file on stderr, hashes the others, and exits 1', async () => {
    const run = await runCli(['hash', 'missing.txt', 'first.txt', directory], { cwd: directory });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe(`${md5('hello\n')}  first.txt\n`);
    expect(run.stderr).toBe(
      `mstudio: missing.txt: FILE_NOT_FOUND: No such file: missing.txt\nmstudio: ${directory}: NOT_A_FILE: Not a file: ${directory}\n`,
    );
    const json = await runCli(['--json', 'hash', 'missing.txt'], { cwd: directory });
    expect(json.exitCode).toBe(1);
    expect(jsonLines(json.stdout)).toEqual([
      {
        file: 'missing.txt',
        ok: false,
        error: { code: 'FILE_NOT_FOUND', message: 'No such file: missing.txt', path: 'missing.txt' },
      },
    ]);
  });
});
