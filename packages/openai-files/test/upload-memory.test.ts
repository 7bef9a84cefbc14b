import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { createFilesClient } from '../src/index.js';
import './provided-context.js';

const sizeBytes = 1024 ** 3;
const path = join(tmpdir(), `openai-files-1gib-${process.pid}.jsonl`);
afterAll(() => rm(path, { force: true }));

/** Writes exactly `sizeBytes` of valid Batch input: 64 KiB lines, the last one padded to fit. */
async function writeBatchFile(): Promise<void> {
  const handle = await open(path, 'w');
  const lineBytes = 64 * 1024;
  const head = (index: number) =>
    `{"custom_id":"r-${index}","method":"POST","url":"/v1/chat/completions","body":{"model":"qwen-plus","input":"`;
  const tail = '"}}\n';
  let written = 0;
  for (let index = 0; written < sizeBytes; index += 1) {
    const room = Math.min(lineBytes, sizeBytes - written);
    const start = head(index);
    const line = start + 'x'.repeat(room - start.length - tail.length) + tail;
    await handle.write(line);
    written += room;
  }
  await handle.close();
}

it('uploads a 1 GiB batch file (checked, then streamed) with the RSS growing by less than 64 MiB', {
  timeout: 300_000,
}, async () => {
  await writeBatchFile();
  const { url, account } = inject('emulator');
  // The emulator of this run accepts 2 GiB files; the client is told the same raised limit.
  const files = createFilesClient({
    apiKey: account.apiKey,
    baseUrl: url,
    limits: { batchMaxBytes: 2 * 1024 ** 3 },
  });
  try {
    await files.upload(
      new TextEncoder().encode('{"custom_id":"w","method":"POST","url":"/v1/x","body":{}}\n'),
      {
        purpose: 'batch',
        fileName: 'warm-up.jsonl',
      },
    );
    // The emulator runs in vitest's main process (global setup): this worker's RSS is the client's alone.
    const baselineBytes = process.memoryUsage.rss();
    let peakBytes = baselineBytes;
    const sampler = setInterval(() => {
      peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
    }, 5);
    let lastProgress = { loadedBytes: 0, totalBytes: 0 };
    let file: Awaited<ReturnType<typeof files.upload>>;
    try {
      file = await files.upload(path, {
        purpose: 'batch',
        onProgress: (progress) => {
          lastProgress = progress;
        },
      });
    } finally {
      clearInterval(sampler);
    }
    peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
    const growthMiB = (peakBytes - baselineBytes) / 1024 ** 2;
    console.info(`1 GiB batch upload: peak RSS growth ${growthMiB.toFixed(1)} MiB`);
    expect(file).toMatchObject({ bytes: sizeBytes, purpose: 'batch' });
    expect(lastProgress).toEqual({ loadedBytes: sizeBytes, totalBytes: sizeBytes });
    expect(growthMiB).toBeLessThan(64);
    await files.delete(file.id);
  } finally {
    await files.close();
  }
});
