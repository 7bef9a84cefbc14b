import { open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BatchInputError, createFilesClient } from '../src/index.js';
import './provided-context.js';
import { inject } from 'vitest';

const lineCount = 1_500_000;
const path = join(tmpdir(), `openai-files-1.5m-${process.pid}.jsonl`);
afterAll(() => rm(path, { force: true }));

/** Line `index` (0-based): about 172 bytes, a 29-character custom_id. */
function line(index: number, id = index): string {
  const customId = `request-${String(id).padStart(8, '0')}-${'k'.repeat(12)}`;
  return `{"custom_id":"${customId}","method":"POST","url":"/v1/chat/completions","body":{"model":"qwen-plus","messages":[{"role":"user","content":"Q${String(index).padStart(8, '0')}?"}]}}\n`;
}

it('checks a 1.5-million-line batch file with the heap growing by less than 64 MiB, and refuses its repeated id', {
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
  const files = createFilesClient({ apiKey: account.apiKey, baseUrl: url });
  const used = () => {
    const memory = process.memoryUsage();
    return memory.heapUsed + memory.arrayBuffers;
  };
  globalThis.gc?.();
  const baselineBytes = used();
  let peakBytes = baselineBytes;
  const sampler = setInterval(() => {
    peakBytes = Math.max(peakBytes, used());
  }, 5);
  let error: unknown;
  try {
    error = await files.upload(path, { purpose: 'batch' }).catch((caught: unknown) => caught);
  } finally {
    clearInterval(sampler);
    await files.close();
  }
  peakBytes = Math.max(peakBytes, used());
  const growthMiB = (peakBytes - baselineBytes) / 1024 ** 2;
  console.info(
    `batch check of ${lineCount} lines (${(sizeBytes / 1024 ** 2).toFixed(0)} MiB): heap + array buffers grew ${growthMiB.toFixed(1)} MiB`,
  );
  expect(BatchInputError.isInstance(error)).toBe(true);
  expect((error as BatchInputError).lineNumber).toBe(lineCount);
  expect((error as BatchInputError).reason).toBe(
    `"custom_id" "request-00000000-${'k'.repeat(12)}" repeats line 1`,
  );
  expect(growthMiB).toBeLessThan(64);
});
