import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAdminClient } from '@x/emulator/vitest';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  emulatorEnv,
  interruptedBySigint,
  interruptWhenStalled,
  jsonLines,
  runCli,
  scratchDir,
} from './run-cli.js';

const directory = await scratchDir();
await writeFile(join(directory, 'report.txt'), 'Quarterly report: revenue up 4%.\n');
await writeFile(join(directory, 'notes.md'), '# Notes\n\nShip on Friday.\n');
const batchLine = (id: string) =>
  JSON.stringify({
    custom_id: id,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }] },
  });
await writeFile(join(directory, 'requests.jsonl'), `${batchLine('q-1')}\n${batchLine('q-2')}\n`);
await writeFile(join(directory, 'repeated.jsonl'), `${batchLine('q-1')}\n${batchLine('q-1')}\n`);
// 150 MiB + 1 byte, sparse: over file-extract's 150 MB without writing it.
const large = join(directory, 'large.txt');
const handle = await open(large, 'w');
await handle.truncate(150 * 1024 * 1024 + 1);
await handle.close();

const admin = createAdminClient(inject('emulator').url);
afterEach(() => admin.clearFaults());
const fileId = /^file-(fe|batch)-\S+$/;
const requestId = /requestId=\S+/;

/** Uploads `name` with --json and returns its file object. */
async function upload(name: string, purpose = 'file-extract'): Promise<Record<string, unknown>> {
  const run = await runCli(['--json', 'files', 'upload', '--purpose', purpose, name], { cwd: directory });
  expect(run.exitCode, run.stderr).toBe(0);
  return jsonLines(run.stdout)[0]!;
}

describe('mstudio files --help', () => {
  it.each(['upload', 'list', 'get', 'download', 'delete', 'wait', 'prune'])(
    'files %s shows usage with examples',
    async (name) => {
      const run = await runCli(['files', name, '--help']);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: mstudio files ${name}`));
      expect(run.stdout).toMatch(/\nExamples:\n {2}\$ mstudio /);
    },
  );
});

describe('mstudio files upload', () => {
  it('prints each file id, status and size, in text and with --json', async () => {
    const run = await runCli(['files', 'upload', '--purpose', 'file-extract', 'report.txt', 'notes.md'], {
      cwd: directory,
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^file-fe-\S+ {2}(processing|processed) {2}33 bytes {2}report\.txt$/);
    expect(lines[1]).toMatch(/^file-fe-\S+ {2}(processing|processed) {2}25 bytes {2}notes\.md$/);

    const json = await runCli(['--json', 'files', 'upload', '-p', 'batch', 'requests.jsonl'], {
      cwd: directory,
    });
    expect(json.exitCode).toBe(0);
    expect(json.stderr).toBe('');
    const [file] = jsonLines(json.stdout);
    expect(file).toMatchObject({ file: 'requests.jsonl', filename: 'requests.jsonl', purpose: 'batch' });
    expect(file!.id).toMatch(/^file-batch-/);
    expect(new Date(file!.createdAt as string).toISOString()).toBe(file!.createdAt);
  });

  it('names each failed file (missing, over the limit, a bad batch line), uploads the rest, exit 1', async () => {
    const run = await runCli(
      ['files', 'upload', '-p', 'file-extract', 'missing.txt', 'report.txt', 'large.txt'],
      { cwd: directory },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout.trimEnd().split('\n')).toEqual([expect.stringMatching(/^file-fe-\S+ .* report\.txt$/)]);
    const errors = run.stderr.trimEnd().split('\n');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^mstudio: missing\.txt: FILE_NOT_FOUND: /);
    expect(errors[1]).toMatch(/^mstudio: large\.txt: FILE_TOO_LARGE: .*157,286,401 bytes/);

    const batch = await runCli(['--json', 'files', 'upload', '-p', 'batch', 'repeated.jsonl'], {
      cwd: directory,
    });
    expect(batch.exitCode).toBe(1);
    expect(batch.stderr).toMatch(/^mstudio: repeated\.jsonl: INVALID_BATCH_INPUT: .*line 2/);
    expect(jsonLines(batch.stdout)).toEqual([
      expect.objectContaining({
        file: 'repeated.jsonl',
        ok: false,
        error: expect.objectContaining({ code: 'INVALID_BATCH_INPUT' }),
      }),
    ]);
  });

  it('refuses a purpose the Files API does not take with exit 2, before any work', async () => {
    const run = await runCli(['files', 'upload', '--purpose', 'fine-tune', 'report.txt'], { cwd: directory });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/argument 'fine-tune' is invalid\. Allowed choices are file-extract, batch/);
    const missing = await runCli(['files', 'upload', 'report.txt'], { cwd: directory });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/required option '-p, --purpose <purpose>' not specified/);
  });

  it('says in one line that the key was refused, with the service code and request id, never the key', async () => {
    const wrongKey = 'sk-test-not-a-key-refused-tail';
    const run = await runCli(['files', 'upload', '-p', 'file-extract', 'report.txt'], {
      cwd: directory,
      env: { ...emulatorEnv(), DASHSCOPE_API_KEY: wrongKey },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^mstudio: report\.txt: HTTP_STATUS: .*401.*InvalidApiKey/);
    expect(run.stderr).toMatch(requestId);
    expect(run.stderr).not.toContain('not-a-key-refused-tail');

    const list = await runCli(['--json', 'files', 'list'], {
      env: { ...emulatorEnv(), DASHSCOPE_API_KEY: wrongKey },
    });
    expect(list.exitCode).toBe(1);
    expect(list.stdout).toBe('');
    expect(list.stderr).toMatch(/^mstudio: HTTP_STATUS: .*InvalidApiKey/);
    expect(list.stderr).not.toContain('not-a-key-refused-tail');
  });
});

describe('mstudio files get, wait, download, delete', () => {
  it('takes one file through its life, in text and with --json', async () => {
    const file = await upload('report.txt');
    const id = file.id as string;
    expect(id).toMatch(fileId);

    const get = await runCli(['files', 'get', id]);
    expect(get.exitCode).toBe(0);
    expect(get.stdout).toMatch(
      new RegExp(`^${id} {2}\\d{4}-\\d{2}-\\d{2}T\\S+Z {2}33 {2}file-extract {2}\\w+ {2}report\\.txt\\n$`),
    );

    const wait = await runCli(['--json', 'files', 'wait', id]);
    expect(wait.exitCode).toBe(0);
    expect(jsonLines(wait.stdout)).toEqual([expect.objectContaining({ id, status: 'processed' })]);

    const download = await runCli(['files', 'download', id, '-o', 'copy.txt'], { cwd: directory });
    expect(download.exitCode).toBe(0);
    expect(download.stdout).toBe('33 bytes  copy.txt\n');
    expect(await readFile(join(directory, 'copy.txt'), 'utf8')).toBe('Quarterly report: revenue up 4%.\n');
    const toStdout = await runCli(['files', 'download', id, '-o', '-']);
    expect(toStdout).toMatchObject({ exitCode: 0, stdout: 'Quarterly report: revenue up 4%.\n', stderr: '' });
    const conflict = await runCli(['--json', 'files', 'download', id, '-o', '-']);
    expect(conflict.exitCode).toBe(2);
    expect(conflict.stderr).toMatch(/--json and -o - both want stdout/);

    const deleted = await runCli(['--json', 'files', 'delete', id]);
    expect(deleted.exitCode).toBe(0);
    expect(jsonLines(deleted.stdout)).toEqual([{ id, deleted: true }]);
    const gone = await runCli(['files', 'get', id]);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toMatch(new RegExp(`^mstudio: ${id}: HTTP_STATUS: .*404.*NotFound`));
  });

  it('names each unknown id with the service code and request id, does the rest, exit 1', async () => {
    const { id } = await upload('notes.md');
    const run = await runCli(['files', 'delete', 'file-fe-nope', id as string]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe(`deleted ${id}\n`);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^mstudio: file-fe-nope: HTTP_STATUS: .*404 .*NotFound/);
    expect(run.stderr).toMatch(requestId);

    const json = await runCli(['--json', 'files', 'wait', 'file-fe-nope']);
    expect(json.exitCode).toBe(1);
    expect(jsonLines(json.stdout)).toEqual([
      {
        id: 'file-fe-nope',
        ok: false,
        error: expect.objectContaining({ code: 'HTTP_STATUS', serviceCode: 'NotFound', status: 404 }),
      },
    ]);
  });
});

describe('mstudio files list', () => {
  it('lists one page, says how to get the next, and every page with --all', async () => {
    await upload('report.txt');
    await upload('notes.md');
    const page = await runCli(['files', 'list', '--limit', '1']);
    expect(page.exitCode).toBe(0);
    expect(page.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(page.stderr).toMatch(/^more files follow: --after file-\S+ \(or --all\)\n$/);
    const after = /--after (\S+)/.exec(page.stderr)![1]!;
    const next = await runCli(['--json', 'files', 'list', '--limit', '1', '--after', after]);
    expect(jsonLines(next.stdout)).toHaveLength(1);
    expect(jsonLines(next.stdout)[0]!.id).not.toBe(after);

    const all = await runCli(['--json', 'files', 'list', '--all', '--limit', '2']);
    expect(all.exitCode).toBe(0);
    const ids = jsonLines(all.stdout).map((file) => file.id);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);

    const batches = await runCli(['--json', 'files', 'list', '--all', '--purpose', 'batch']);
    expect(jsonLines(batches.stdout).every((file) => file.purpose === 'batch')).toBe(true);
    const future = await runCli(['files', 'list', '--all', '--created-after', '2099-01-01']);
    expect(future).toMatchObject({ exitCode: 0, stdout: '', stderr: '0 files\n' });
  });

  it.each([
    [['files', 'list', '--limit', '0'], /--limit: a whole number from 1 to 2000/],
    [['files', 'list', '--created-before', 'yesterday'], /argument 'yesterday' is invalid\. a date as/],
    [['files', 'list', '--purpose', 'images'], /Allowed choices are file-extract, batch, batch_output/],
    [['files', 'prune', '--older-than', '30'], /a duration with its unit/],
  ])('%j is a usage error, exit 2', async (args, message) => {
    const run = await runCli(args);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });
});

describe('mstudio files prune', () => {
  it('deletes files older than --older-than (30 days by default), and only lists them with --dry-run', async () => {
    // A file created 40 days ago on the emulator's clock.
    await admin.setClock(Date.now() - 40 * 24 * 3600_000);
    let old: Record<string, unknown>;
    try {
      old = await upload('notes.md');
    } finally {
      await admin.setClock(Date.now());
    }
    const recent = await upload('report.txt');

    const dryRun = await runCli(['files', 'prune', '--dry-run', '--purpose', 'file-extract']);
    expect(dryRun.exitCode).toBe(0);
    expect(dryRun.stdout).toBe(`would delete ${(await runCli(['files', 'get', old.id as string])).stdout}`);
    expect(dryRun.stderr).toMatch(/^would delete 1 file \(25 bytes\) created before \S+Z\n$/);
    expect((await runCli(['files', 'get', old.id as string])).exitCode).toBe(0);

    const json = await runCli(['--json', 'files', 'prune']);
    expect(json.exitCode).toBe(0);
    expect(jsonLines(json.stdout)).toEqual([expect.objectContaining({ id: old.id, deleted: true })]);
    expect((await runCli(['files', 'get', old.id as string])).exitCode).toBe(1);
    expect((await runCli(['files', 'get', recent.id as string])).exitCode).toBe(0);

    const again = await runCli(['files', 'prune', '--older-than', '7d']);
    expect(again).toMatchObject({ exitCode: 0, stdout: '' });
    expect(again.stderr).toMatch(/^deleted 0 files/);
  });
});

describe('Ctrl-C during files upload', () => {
  it('aborts the upload in flight and exits 130 with one line', async () => {
    // The service never answers the upload: it waits until it is interrupted.
    const run = await interruptWhenStalled(
      admin,
      'files.upload',
      ['files', 'upload', '-p', 'file-extract', 'report.txt'],
      {
        cwd: directory,
      },
    );
    expect(run).toEqual(interruptedBySigint);
  });
});
