import { describe, expect, it } from 'vitest';
import { emulatorEnv, jsonLines, runCli } from './run-cli.js';

describe('mstudio doctor', () => {
  it('finds nothing wrong with the emulator and its default account', async () => {
    const run = await runCli(['doctor']);
    expect(run.exitCode, run.stdout).toBe(0);
    const env = emulatorEnv();
    expect(run.stdout).toContain(
      `ok    endpoints: every surface at ${env.MSTUDIO_ENDPOINT} (from MSTUDIO_ENDPOINT)`,
    );
    expect(run.stdout).toMatch(/ok {4}DashScope API key: found in DASHSCOPE_API_KEY \(\d+ characters\)/);
    expect(run.stdout).toMatch(
      /ok {4}Alibaba Cloud AccessKey: an AccessKey pair \(ID \S+\) from ALIBABA_CLOUD_ACCESS_KEY_ID/,
    );
    expect(run.stdout).toMatch(/ok {4}clock: local clock (ahead of|behind) the service by about \d+ s/);
    expect(run.stdout).toMatch(/ok {4}API key region: the key is accepted at /);
    expect(run.stdout).toMatch(/ok {4}Bailian access: a signed ListCategory in llm-emulator succeeded/);
    expect(run.stderr).toBe('no problems found\n');
    for (const secret of [env.DASHSCOPE_API_KEY!, env.ALIBABA_CLOUD_ACCESS_KEY_SECRET!]) {
      expect(run.stdout + run.stderr).not.toContain(secret);
    }
  });

  it('prints one JSON object per check with --json', async () => {
    const run = await runCli(['--json', 'doctor']);
    expect(run.exitCode).toBe(0);
    const checks = jsonLines(run.stdout);
    expect(checks.map((check) => check.check)).toEqual([
      'endpoints',
      'proxy',
      'DashScope API key',
      'Alibaba Cloud AccessKey',
      'Bailian workspace',
      'clock',
      'API key region',
      'Bailian access',
    ]);
    expect(checks.every((check) => check.status === 'ok')).toBe(true);
  });

  it('reports a refused key, a wrong secret and a proxy in the way, each with a fix, and exits 1', async () => {
    const env = {
      ...emulatorEnv(),
      DASHSCOPE_API_KEY: 'sk-wrong-key-000000000000',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret-1111111111',
      HTTPS_PROXY: 'http://user:proxy-password@127.0.0.1:9',
      NO_PROXY: '127.0.0.1',
    };
    const run = await runCli(['--json', 'doctor'], { env });
    expect(run.exitCode).toBe(1);
    const checks = Object.fromEntries(jsonLines(run.stdout).map((check) => [check.check, check]));
    expect(checks['API key region']).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/per region/),
    });
    expect(checks['Bailian access']).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/SignatureDoesNotMatch/),
      fix: expect.stringMatching(/ALIBABA_CLOUD_ACCESS_KEY_SECRET/),
    });
    expect(checks.proxy).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('HTTPS_PROXY=http://***@127.0.0.1:9'),
    });
    expect(run.stderr).toBe('2 problem(s) found\n');
    for (const secret of [env.DASHSCOPE_API_KEY, env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, 'proxy-password']) {
      expect(run.stdout + run.stderr).not.toContain(secret);
    }
  });

  it('warns when a proxy would carry requests meant for the local emulator', async () => {
    const run = await runCli(['--json', 'doctor'], {
      env: { ...emulatorEnv(), HTTP_PROXY: 'http://127.0.0.1:9' },
    });
    const proxy = jsonLines(run.stdout).find((check) => check.check === 'proxy');
    expect(proxy).toMatchObject({ status: 'warn', fix: expect.stringMatching(/NO_PROXY/) });
  });

  it('says what is missing when nothing is configured (and no network is needed to say so)', async () => {
    const run = await runCli(['--json', 'doctor'], {
      env: { MSTUDIO_ENDPOINT: emulatorEnv().MSTUDIO_ENDPOINT },
    });
    expect(run.exitCode).toBe(1);
    const checks = Object.fromEntries(jsonLines(run.stdout).map((check) => [check.check, check]));
    expect(checks['DashScope API key']).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/DASHSCOPE_API_KEY/),
    });
    expect(checks['Alibaba Cloud AccessKey']).toMatchObject({ status: 'warn' });
    expect(checks['Bailian workspace']).toMatchObject({ status: 'warn' });
  });
});
