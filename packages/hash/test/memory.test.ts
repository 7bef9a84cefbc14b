import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { md5File } from '../src/index.js';

const sizeBytes = 512 * (1 << 20);
let folder: string;
let file: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'x-hash-memory-'));
  file = join(folder, 'half-gib.bin');
  const handle = await open(file, 'w');
  const chunk = Buffer.alloc(8 << 20, 0x5a);
  for (let written = 0; written < sizeBytes; written += chunk.length) await handle.write(chunk);
  await handle.close();
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

it('hashes a 512 MiB file with flat memory (peak RSS growth under 16 MiB)', async () => {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 2);
  const digest = await md5File(file, {
    onProgress: () => {
      peak = Math.max(peak, process.memoryUsage.rss());
    },
  });
  clearInterval(sampler);
  expect(digest.sizeBytes).toBe(sizeBytes);
  expect(peak - baseline).toBeLessThan(16 * (1 << 20));
});
