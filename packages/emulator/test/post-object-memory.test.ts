import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../src/index.js';
import { type PolicyData, policyFields } from './support/oss.js';

const oneGiB = 1024 ** 3;
let emulator: Emulator;

beforeAll(async () => {
  emulator = await createEmulator();
});
afterAll(() => emulator.close());

it('streams a 1 GiB PostObject to disk with under 64 MiB of RSS growth', { timeout: 180_000 }, async () => {
  const response = await fetch(`${emulator.url}/api/v1/uploads?action=getPolicy&model=wan2.1-i2v-plus`, {
    headers: { authorization: `Bearer ${emulator.account.apiKey}` },
  });
  const data = ((await response.json()) as { data: PolicyData }).data;
  expect(data.max_file_size_mb).toBe(1024);

  const baselineBytes = process.memoryUsage.rss();
  let peakBytes = baselineBytes;
  const sampler = setInterval(() => {
    peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
  }, 5);
  let answer: { status: number; text: string };
  try {
    // The client runs in its own process: this process holds only the emulator, so its RSS is the emulator's.
    const client = fileURLToPath(new URL('./support/post-form-process.mjs', import.meta.url));
    const fields = JSON.stringify(policyFields(data, 'big.mp4'));
    const { stdout } = await promisify(execFile)(process.execPath, [
      client,
      data.upload_host,
      fields,
      'big.mp4',
      String(oneGiB),
    ]);
    answer = JSON.parse(stdout) as { status: number; text: string };
  } finally {
    clearInterval(sampler);
  }
  peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
  const growthMiB = (peakBytes - baselineBytes) / 1024 ** 2;
  console.log(`1 GiB PostObject: peak RSS growth ${growthMiB.toFixed(1)} MiB`);

  expect(answer).toEqual({ status: 200, text: '' });
  const objects = emulator.state.dashscope.objects;
  expect(objects).toEqual([
    expect.objectContaining({ key: `${data.upload_dir}/big.mp4`, sizeBytes: oneGiB }),
  ]);
  expect(emulator.calls.at(-1)?.requestBytes).toBeGreaterThan(oneGiB);
  expect(growthMiB).toBeLessThan(64);
});
