import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, runCli, scratchDir, startCli } from './run-cli.js';

const directory = await scratchDir();

const linesPattern = (count: number) => new RegExp(`^(.*\n){${count}}`);

describe('mstudio emulator', () => {
  it('prints its URL and, with --print-env, the export lines of the default account; SIGINT stops it cleanly', async () => {
    const dataDir = join(directory, 'data');
    await mkdir(dataDir);
    const { child, done, stdoutUntil } = startCli(
      ['emulator', '--port', '0', '--data-dir', dataDir, '--print-env'],
      {
        env: baseEnv(),
      },
    );
    const text = await stdoutUntil(linesPattern(6));
    const lines = text.trimEnd().split('\n');
    const [, url, consoleUrl] =
      /^# Model Studio emulator listening on (http:\/\/127\.0\.0\.1:\d+), web console (\S+) /.exec(
        lines[0]!,
      ) ?? [];
    expect(consoleUrl).toBe(`${url}/__emulator/`);
    const env = Object.fromEntries(
      lines.slice(1).map((line) => {
        const match = /^export ([A-Z_]+)=(\S+)$/.exec(line);
        expect(match, line).not.toBeNull();
        return [match![1]!, match![2]!];
      }),
    );
    expect(Object.keys(env)).toEqual([
      'MSTUDIO_ENDPOINT',
      'DASHSCOPE_API_KEY',
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      'BAILIAN_WORKSPACE_ID',
    ]);

    // The printed variables are all a client needs.
    await writeFile(join(directory, 'a.png'), 'png');
    const upload = await runCli(['oss', 'upload', '-m', 'qwen-vl-plus', 'a.png'], { cwd: directory, env });
    expect(upload.exitCode, upload.stderr).toBe(0);
    expect(upload.stdout).toMatch(/^oss:\/\//);

    child.kill('SIGINT');
    const run = await done;
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('emulator stopped\n');
    expect(existsSync(dataDir)).toBe(true); // a folder the user gave is kept
    await expect(fetch(env.MSTUDIO_ENDPOINT!)).rejects.toThrow();
  });

  it('prints JSON events with --json and stops on SIGTERM', async () => {
    const { child, done, stdoutUntil } = startCli(['--json', 'emulator', '--port', '0'], { env: baseEnv() });
    const first = JSON.parse((await stdoutUntil(linesPattern(1))).split('\n')[0]!) as {
      event: string;
      url: string;
    };
    expect(first).toEqual({
      event: 'listening',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      console: `${first.url}/__emulator/`,
    });
    const page = await fetch(`${first.url}/__emulator/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    await page.body?.cancel();
    const info = (await (await fetch(`${first.url}/__emulator/info`)).json()) as { url: string };
    expect(info.url).toBe(first.url);
    child.kill('SIGTERM');
    const run = await done;
    expect(run.exitCode).toBe(0);
    expect(
      run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).event),
    ).toEqual(['listening', 'stopped']);
    expect(run.stderr).toBe('emulator stopped\n'); // informational lines go to stderr, even with --json
  });

  it('prints its URL and its web console URL in text mode', async () => {
    const { child, done, stdoutUntil } = startCli(['emulator', '--port', '0'], { env: baseEnv() });
    const lines = (await stdoutUntil(linesPattern(2))).trimEnd().split('\n');
    const url = /^Model Studio emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[0]!)?.[1];
    expect(url).toBeDefined();
    expect(lines[1]).toBe(`Web console: ${url}/__emulator/`);
    const page = await fetch(`${url}/__emulator/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    child.kill('SIGINT');
    const run = await done;
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(2);
  });

  it('applies a --faults file, and refuses a malformed one with exit 2', async () => {
    const plan = join(directory, 'faults.json');
    await writeFile(
      plan,
      JSON.stringify([{ route: 'dashscope.getPolicy', fault: { type: 'status', status: 503 } }]),
    );
    const { child, done, stdoutUntil } = startCli(['--json', 'emulator', '--port', '0', '--faults', plan], {
      env: baseEnv(),
    });
    const { url } = JSON.parse((await stdoutUntil(linesPattern(1))).split('\n')[0]!) as { url: string };
    const faults = (await (await fetch(`${url}/__emulator/faults`)).json()) as { faults: unknown[] };
    expect(faults.faults).toHaveLength(1);
    child.kill('SIGINT');
    expect((await done).exitCode).toBe(0);

    const bad = join(directory, 'bad-faults.json');
    await writeFile(bad, JSON.stringify({ rules: [{ fault: { type: 'explode' } }] }));
    const refused = await runCli(['emulator', '--port', '0', '--faults', bad], { env: baseEnv() });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/^mstudio: --faults .*bad-faults\.json: rule 1: /);
    const notJson = join(directory, 'not-json.json');
    await writeFile(notJson, '{');
    expect((await runCli(['emulator', '--faults', notJson], { env: baseEnv() })).exitCode).toBe(2);
  });

  it('says in one line that the port is taken, exit 1', async () => {
    const { child, done, stdoutUntil } = startCli(['--json', 'emulator', '--port', '0'], { env: baseEnv() });
    const { url } = JSON.parse((await stdoutUntil(linesPattern(1))).split('\n')[0]!) as { url: string };
    const port = new URL(url).port;
    const taken = await runCli(['emulator', '--port', port], { env: baseEnv() });
    expect(taken.exitCode).toBe(1);
    expect(taken.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(taken.stderr).toMatch(/EADDRINUSE|in use/);
    child.kill('SIGINT');
    await done;
  });
});
