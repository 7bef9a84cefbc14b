import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const examplesDir = join(import.meta.dirname, '..', 'examples');
const examples = readdirSync(examplesDir).filter((name) => name.endsWith('.ts'));
const { url, account } = inject('emulator');

describe('examples run as written against the emulator', () => {
  for (const name of examples)
    it(name, async () => {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', '--import', './test/define-version.mjs', join(examplesDir, name)],
        {
          cwd: join(import.meta.dirname, '..'),
          env: {
            ...process.env,
            MSTUDIO_ENDPOINT: url,
            DASHSCOPE_API_KEY: account.apiKey,
            ALIBABA_CLOUD_ACCESS_KEY_ID: account.accessKeyId,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: account.accessKeySecret,
            BAILIAN_WORKSPACE_ID: account.workspaceId,
          },
          timeout: 120_000,
        },
      );
      expect(stdout.length).toBeGreaterThan(0);
    }, 150_000);
});
