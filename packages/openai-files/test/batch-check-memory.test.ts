import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdminClient } from '@x/emulator/vitest';
import { afterAll, expect, inject, it } from 'vitest';
import './provided-context.js';

const lineCount = 1_500_000;
const path = join(tmpdir(), `openai-files-1.5m-${process.pid}.jsonl`);
afterAll(() => rm(path, { force: true }));

/** Line `index` (0-based): about 172 bytes, a 29-character custom_id. */
function line(index: number, id = index): string {
  const customId = `request-${String(id).padStart(8, '0')}-${'k'.repeat(12)}`;
  return `{"custom_id":"${customId}","method":"POST","url":"/v1/chat/completions","body":{"model":"qwen-plus","messages":[{"role":"user","content":"Q${String(index).padStart(8, '0')}?"}]}}\n`;
}

it('checks a 1.5-million-line batch file holding less than 64 MiB more (heap and buffers), and refuses its repeated id', {
  timeout: 300_000,
}, async () => {
  const handle = await open(path, 'w');
  let batch = '';
  for (let index = 0; index < lineCount; index += 1) {
    // The last line repeats the first line's custom_id: found only by the confirming second pass.
    batch += index === lineCount - 1 ? line(index, 0) : line(index);
    if (batch.length > 1 << 20) {
      await handle.write(batch);
      batch = '';
    }
  }
  await handle.write(batch);
  await handle.close();
  const sizeBytes = (await stat(path)).size;
  expect(sizeBytes).toBeGreaterThan(250_000_000);

  const { url, account } = inject('emulator');
  const admin = createAdminClient(url);
  const since = (await admin.calls()).at(-1)?.id ?? 0;
  // In a process of its own, so the reading is the check's alone; every reading follows a full collection.
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(import.meta.dirname, 'support/batch-check-child.ts'),
      path,
      url,
      account.apiKey,
    ],
    { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const [exitCode] = await once(child, 'close');
  expect(exitCode).toBe(0);
  const result = JSON.parse(output.trim()) as {
    growthBytes: number;
    code: string;
    lineNumber: number;
    reason: string;
  };
  const growthMiB = result.growthBytes / 1024 ** 2;
  console.info(
    `batch check of ${lineCount} lines (${(sizeBytes / 1024 ** 2).toFixed(0)} MiB): live heap + array buffers grew ${growthMiB.toFixed(1)} MiB`,
  );
  expect(result).toMatchObject({
    code: 'INVALID_BATCH_INPUT',
    lineNumber: lineCount,
    reason: `"custom_id" "request-00000000-${'k'.repeat(12)}" repeats line 1`,
  });
  expect((await admin.calls({ route: 'files.upload' })).filter((call) => call.id > since)).toEqual([]);
  expect(growthMiB).toBeLessThan(64);
});
