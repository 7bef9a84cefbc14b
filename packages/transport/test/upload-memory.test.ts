import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { createTransport, multipartBody } from '../src/index.js';

const sizeBytes = 1024 * 1024 * 1024;
const path = join(tmpdir(), `x-transport-1gib-${process.pid}.bin`);
let child: ChildProcess;
let port: number;
let expectedMd5: string;

beforeAll(async () => {
  const block = randomBytes(16 * 1024 * 1024);
  const hash = createHash('md5');
  const handle = await open(path, 'w');
  for (let written = 0; written < sizeBytes; written += block.byteLength) {
    // Vary each block so a recycled buffer sent twice would change the hash.
    block.writeUInt32LE(written / block.byteLength, 0);
    await handle.write(block);
    hash.update(block);
  }
  await handle.close();
  expectedMd5 = hash.digest('hex');
  child = spawn(process.execPath, [join(import.meta.dirname, 'discard-server.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  port = Number(line.toString().trim());
}, 120_000);

afterAll(async () => {
  child?.stdin?.end();
  child?.kill();
  await rm(path, { force: true });
});

it('uploads a 1 GiB file as multipart, intact, with peak RSS growth under 64 MiB', async () => {
  const transport = createTransport({ baseUrl: `http://127.0.0.1:${port}`, retry: false });
  const baselineBytes = process.memoryUsage.rss();
  let peakBytes = baselineBytes;
  const sampler = setInterval(() => {
    peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
  }, 5);
  let lastProgress = 0;
  try {
    const response = await transport.request({
      method: 'POST',
      path: '/upload',
      body: multipartBody([
        { name: 'purpose', value: 'batch' },
        { name: 'file', file: path, fileName: 'big.jsonl' },
      ]),
      schema: z.object({
        receivedBytes: z.number(),
        contentLength: z.string(),
        fields: z.record(z.string(), z.string()),
        files: z.array(
          z.object({ name: z.string(), fileName: z.string(), md5: z.string(), sizeBytes: z.number() }),
        ),
      }),
      onProgress: ({ loadedBytes }) => {
        lastProgress = loadedBytes;
        peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
      },
    });
    expect(response.body.receivedBytes).toBe(Number(response.body.contentLength));
    expect(response.body.receivedBytes).toBeGreaterThan(sizeBytes);
    expect(lastProgress).toBe(sizeBytes);
    expect(response.body.fields).toEqual({ purpose: 'batch' });
    expect(response.body.files).toEqual([
      { name: 'file', fileName: 'big.jsonl', md5: expectedMd5, sizeBytes },
    ]);
  } finally {
    clearInterval(sampler);
    await transport.close();
  }
  const growthMiB = (peakBytes - baselineBytes) / (1024 * 1024);
  console.info(`1 GiB multipart upload: peak RSS growth ${growthMiB.toFixed(1)} MiB`);
  expect(growthMiB).toBeLessThan(64);
}, 180_000);
