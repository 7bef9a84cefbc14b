import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const version = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

describe('mstudio', () => {
  it('prints its version and exits 0', async () => {
    const run = await runCli(['--version']);
    expect(run).toMatchObject({ exitCode: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each([
    [['--help']],
    [['emulator', '--help']],
    [['hash', '--help']],
    [['oss', 'upload', '--help']],
    [['oss.upload', '--help']],
    [['doctor', '--help']],
  ])('%j shows usage with examples and exits 0', async (args) => {
    const run = await runCli(args);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^Usage: mstudio/);
    expect(run.stdout).toMatch(/\nExamples:\n {2}\$ mstudio /);
    expect(run.stderr).toBe('');
  });

  it.each([
    [['bogus'], /unknown command 'bogus'/],
    [['hash', '--bogus', 'x'], /unknown option '--bogus'/],
    [['hash'], /missing required argument 'file'/],
    [['oss', 'upload', 'a.png'], /required option '-m, --model <model>' not specified/],
    [['--region', 'mars', 'hash', 'x'], /argument 'mars' is invalid.*cn-beijing/],
    [['oss', 'upload', '-m', 'qwen-vl-plus', '-c', '0', 'a.png'], /argument '0' is invalid/],
    [['emulator', '--port', '70000'], /a port is 0..65535/],
  ])('%j is a usage error: one message, exit 2, nothing on stdout', async (args, message) => {
    const run = await runCli(args);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('refuses an --endpoint that is not an http(s) URL with exit 2, before any work', async () => {
    const run = await runCli(['--endpoint', 'ftp://example', 'oss', 'upload', '-m', 'qwen-vl-plus', 'a.png']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--endpoint must be an http\(s\) URL/);
    const fromEnv = await runCli(['oss', 'upload', '-m', 'qwen-vl-plus', 'a.png'], {
      env: { MSTUDIO_ENDPOINT: 'not a url', DASHSCOPE_API_KEY: 'sk-x' },
    });
    expect(fromEnv.exitCode).toBe(2);
    expect(fromEnv.stderr).toMatch(/MSTUDIO_ENDPOINT must be an http\(s\) URL/);
  });
});
