import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createTempStorage, withOssResolve } from '../../src/index.js';
import { contractContext, nativeModelCall } from './contract-context.js';
import { largeModel } from './models.js';

const context = await contractContext();
const storage = createTempStorage({ apiKey: context.apiKey, baseUrl: context.url });
const path = join(context.directory, 'one-gibibyte.bin');
afterAll(async () => {
  await storage.close();
  await rm(path, { force: true });
});

const sizeBytes = 1024 ** 3;
const boundBytes = 64 * 1024 ** 2;

it('uploads a 1 GiB file with less than 64 MiB of peak RSS growth in the client', {
  timeout: 180_000,
}, async () => {
  // The emulator runs in vitest's main process (global setup): this worker's RSS is the client's alone.
  const file = await open(path, 'w');
  await file.truncate(sizeBytes);
  await file.close();
  const model = context.uniqueModel(largeModel);
  await storage.upload(Buffer.from('warm-up'), { model, fileName: 'warm-up.txt' });

  const baselineBytes = process.memoryUsage.rss();
  let peakBytes = baselineBytes;
  const sampler = setInterval(() => {
    peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
  }, 5);
  let result: Awaited<ReturnType<typeof storage.upload>>;
  try {
    result = await storage.upload(path, { model });
  } finally {
    clearInterval(sampler);
  }
  peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
  const growthBytes = peakBytes - baselineBytes;
  console.log(`1 GiB upload: peak RSS growth ${(growthBytes / 1024 ** 2).toFixed(1)} MiB`);
  expect(result.sizeBytes).toBe(sizeBytes);
  expect(growthBytes).toBeLessThan(boundBytes);

  const { status, body } = await nativeModelCall(
    context.url,
    context.apiKey,
    model,
    [{ video: result.url }],
    withOssResolve(fetch),
  );
  expect(status).toBe(200);
  expect(JSON.stringify(body)).toContain(`${result.url} (${sizeBytes} bytes`);
});
