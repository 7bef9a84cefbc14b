import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulatorEnv, jsonLines, runCli, scratchDir } from './run-cli.js';

const directory = await scratchDir();
await writeFile(join(directory, 'cat.png'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
await writeFile(join(directory, 'notes.txt'), 'trip notes\n');
// 100 MiB + 1 byte, sparse: over qwen-vl-plus's 100 MB without writing 100 MB.
const large = join(directory, 'large.png');
const handle = await open(large, 'w');
await handle.truncate(100 * 1024 * 1024 + 1);
await handle.close();

const ossUrl = /^oss:\/\/dashscope-instant\/[^\s]+$/;

describe('mstudio oss upload', () => {
  it('prints each oss:// URL with its expiry, 48 hours ahead', async () => {
    const startedAt = Date.now();
    const run = await runCli(['oss', 'upload', '--model', 'qwen-vl-plus', 'cat.png', 'notes.txt'], {
      cwd: directory,
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const [index, file] of ['cat.png', 'notes.txt'].entries()) {
      const [url, word, expiresAt, name] = lines[index]!.split(/ {2}| /);
      expect(url).toMatch(ossUrl);
      expect(url!.endsWith(`/${file}`)).toBe(true);
      expect(word).toBe('expires');
      expect(Date.parse(expiresAt!) - startedAt).toBeGreaterThan(47.9 * 3600_000);
      expect(name).toBe(file);
    }
  });

  it('prints one JSON object per file with --json, and nothing else on stdout', async () => {
    const run = await runCli(['--json', 'oss', 'upload', '-m', 'qwen-vl-plus', 'cat.png'], {
      cwd: directory,
    });
    expect(run.exitCode).toBe(0);
    const [result] = jsonLines(run.stdout);
    expect(result).toMatchObject({ file: 'cat.png', model: 'qwen-vl-plus', sizeBytes: 16 });
    expect(result!.url).toMatch(ossUrl);
    expect(new Date(result!.expiresAt as string).toISOString()).toBe(result!.expiresAt);
  });

  it('names each failed file on stderr (missing, over the limit), uploads the rest, and exits 1', async () => {
    const run = await runCli(['oss', 'upload', '-m', 'qwen-vl-plus', 'missing.png', 'cat.png', 'large.png'], {
      cwd: directory,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stdout).toMatch(/cat\.png\n$/);
    const errors = run.stderr.trimEnd().split('\n');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^mstudio: missing\.png: FILE_NOT_FOUND: /);
    expect(errors[1]).toMatch(/^mstudio: large\.png: FILE_TOO_LARGE: .*104,?857,?601 bytes.*qwen-vl-plus/);

    const json = await runCli(['--json', 'oss', 'upload', '-m', 'qwen-vl-plus', 'large.png'], {
      cwd: directory,
    });
    expect(json.exitCode).toBe(1);
    expect(jsonLines(json.stdout)).toEqual([
      expect.objectContaining({
        file: 'large.png',
        ok: false,
        error: expect.objectContaining({ code: 'FILE_TOO_LARGE' }),
      }),
    ]);
  });

  it('says in one line that the key was refused, with the service code and request id, never the key', async () => {
    const wrongKey = 'sk-test-not-a-key-refused-tail';
    const run = await runCli(['oss', 'upload', '-m', 'qwen-vl-plus', 'cat.png'], {
      cwd: directory,
      env: { ...emulatorEnv(), DASHSCOPE_API_KEY: wrongKey },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^mstudio: cat\.png: HTTP_STATUS: .*401.*InvalidApiKey.*requestId=\S+/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toContain(wrongKey);
    expect(run.stderr).not.toContain('not-a-key-refused-tail');
  });

  it('stops before any work when no API key is set, naming where it looked', async () => {
    const { DASHSCOPE_API_KEY: _key, ...env } = emulatorEnv();
    const run = await runCli(['oss', 'upload', '-m', 'qwen-vl-plus', 'cat.png'], { cwd: directory, env });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^mstudio: CREDENTIALS_MISSING: .*DASHSCOPE_API_KEY/);
  });
});

describe('mstudio oss.upload (the DashScope Python CLI spelling)', () => {
  it('uploads --file with --api_key, warning that the key lands in shell history, never printing it', async () => {
    const { DASHSCOPE_API_KEY: apiKey, ...env } = emulatorEnv();
    const run = await runCli(
      [
        'oss.upload',
        '--model',
        'qwen-vl-plus',
        '--file',
        'cat.png',
        '--file',
        'notes.txt',
        '--api_key',
        apiKey!,
      ],
      { cwd: directory, env },
    );
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe(
      'warning: a key given with --api_key lands in your shell history; prefer DASHSCOPE_API_KEY\n',
    );
    expect(
      run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split('  ')[0]),
    ).toEqual([expect.stringMatching(ossUrl), expect.stringMatching(ossUrl)]);
    expect(run.stdout).not.toContain(apiKey);
  });

  it('redacts a wrong --api_key from the error', async () => {
    const { DASHSCOPE_API_KEY: _key, ...env } = emulatorEnv();
    const wrongKey = 'not-a-dashscope-key-42424242';
    const run = await runCli(['oss.upload', '-m', 'qwen-vl-plus', '-f', 'cat.png', '--api_key', wrongKey], {
      cwd: directory,
      env,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/InvalidApiKey/);
    expect(run.stderr).not.toContain(wrongKey);
  });
});
