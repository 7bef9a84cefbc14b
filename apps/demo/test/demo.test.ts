import { join } from 'node:path';
import { expect, it } from 'vitest';
import { type ProcessRun, runProcess } from '../../../tooling/run-process.js';

const demoPath = join(import.meta.dirname, '..', 'dist', 'main.js');

/** Runs the built demo as `pnpm demo` does, with no credentials in its environment and output piped. */
function runDemo(args: string[] = []): Promise<ProcessRun> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NO_PROXY: '127.0.0.1' };
  return runProcess(process.execPath, [demoPath, ...args], { env });
}

it('runs every flow against the embedded emulator and prints a summary with every row OK', async () => {
  const run = await runDemo();
  expect(run.stderr).toBe('');
  expect(run.exitCode, run.stdout).toBe(0);
  const table = run.stdout.slice(run.stdout.indexOf('\nflow '));
  const rows = table
    .trim()
    .split('\n')
    .slice(2)
    .filter((line) => line.trim() !== '' && !line.startsWith('Every flow OK'));
  const cells = rows.map((row) => row.split(/ {2,}/));
  const rowsOf = (flow: string) => cells.filter((cell) => cell[0] === flow).map((cell) => cell.slice(1, 4));
  // Every flow, every sample, each row OK with where the file ended up.
  expect(rowsOf('temporary storage')).toEqual([
    [
      'sunset.png',
      'OK (uploaded, model read it)',
      expect.stringMatching(/^oss:\/\/dashscope-instant\/.+sunset\.png$/),
    ],
    [
      'trip notes.txt',
      'OK (uploaded, model read it)',
      expect.stringMatching(/^oss:\/\/dashscope-instant\/.+trip_notes\.txt$/),
    ],
  ]);
  expect(rowsOf('Files API')).toEqual([
    ['trip notes.txt', 'OK (listed, processed, deleted)', expect.stringMatching(/^file-fe-/)],
    ['handbook.md', 'OK (listed, processed, deleted)', expect.stringMatching(/^file-fe-/)],
    ['sunset.png', 'OK (listed, processed, deleted)', expect.stringMatching(/^file-fe-/)],
    ['requests.jsonl', 'OK (listed, processed, deleted)', expect.stringMatching(/^file-batch-/)],
  ]);
  expect(rowsOf('knowledge base')).toEqual([
    ['handbook.md', 'OK (PARSE_SUCCESS, indexed)', expect.stringMatching(/^file_\S+ in index \S+$/)],
    ['trip notes.txt', 'OK (PARSE_SUCCESS, indexed)', expect.stringMatching(/^file_\S+ in index \S+$/)],
  ]);
  expect(cells).toHaveLength(8);
  for (const row of rows) expect(row).toMatch(/ {2}OK /);
  expect(run.stdout).toMatch(/Every flow OK: \d+ files in \d+ ms\./);
  // Piped output: no progress-bar characters or escape sequences.
  expect(run.stdout).not.toMatch(/[█░\r]/);
  expect(run.stdout).not.toContain(String.fromCharCode(27));
}, 180_000);

it('--real without credentials creates nothing and says what it needs', async () => {
  const run = await runDemo(['--', '--real']);
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toMatch(/--real needs DASHSCOPE_API_KEY/);
  expect(run.stderr).toMatch(/missing: DASHSCOPE_API_KEY, ALIBABA_CLOUD_ACCESS_KEY_ID/);
  expect(run.stderr).toMatch(/Nothing was created\./);
}, 60_000);
