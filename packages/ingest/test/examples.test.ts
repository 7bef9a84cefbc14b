import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createEmulator, type Emulator } from '@x/emulator';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const port = inject('redisPort');
const examplesDir = join(import.meta.dirname, '../examples');
const examples = (await readdir(examplesDir)).filter((name) => name.endsWith('.ts'));

describe.skipIf(port === undefined)('README examples run as written against the emulator', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator();
  });
  afterAll(() => emulator?.close());

  it.each(examples)(
    '%s exits 0',
    async (name) => {
      const { account, url } = emulator;
      const env = {
        ...process.env,
        MSTUDIO_ENDPOINT: url,
        DASHSCOPE_API_KEY: account.apiKey,
        ALIBABA_CLOUD_ACCESS_KEY_ID: account.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: account.accessKeySecret,
        BAILIAN_WORKSPACE_ID: account.workspaceId,
        REDIS_URL: `redis://127.0.0.1:${port}`,
      };
      const { stdout } = await run(process.execPath, ['--import', 'tsx', join(examplesDir, name)], {
        env,
        cwd: join(import.meta.dirname, '..'),
        timeout: 60_000,
      });
      expect(stdout).toContain('added');
    },
    90_000,
  );
});
