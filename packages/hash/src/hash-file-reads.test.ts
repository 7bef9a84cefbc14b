import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it, type MockInstance, vi } from 'vitest';
import { hashFile, md5File } from './hash-file.js';

// The reads hashFile makes and the buffers it reads into, counted at the file handle: machine-independent.
let folder: string;
let reads: MockInstance;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'x-hash-reads-'));
  const probe = await open(join(folder, 'probe'), 'w');
  const prototype = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => unknown };
  await probe.close();
  reads = vi.spyOn(prototype, 'read');
});
afterEach(() => reads.mockClear());
afterAll(async () => {
  reads.mockRestore();
  await rm(folder, { recursive: true, force: true });
});

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
const allocatedBytes = () =>
  [...new Set(reads.mock.calls.map((call) => call[0] as Uint8Array))].reduce(
    (total, buffer) => total + buffer.byteLength,
    0,
  );

it('hashes a 10 KiB file in one read into one buffer of its size (and the byte that tells its end)', async () => {
  const bytes = randomBytes(10 * 1024);
  const path = join(folder, '10k.bin');
  await writeFile(path, bytes);
  const digest = await md5File(path);
  expect(digest).toMatchObject({ hex: md5(bytes), sizeBytes: bytes.byteLength });
  expect(reads).toHaveBeenCalledTimes(1);
  expect(allocatedBytes()).toBe(bytes.byteLength + 1);
});

it('hashes an empty file in one read of a one-byte buffer', async () => {
  const path = join(folder, 'empty.bin');
  await writeFile(path, '');
  expect((await md5File(path)).hex).toBe(md5(new Uint8Array()));
  expect(reads).toHaveBeenCalledTimes(1);
  expect(allocatedBytes()).toBe(1);
});

it('hashes a large file through two buffers of the read size, never more', async () => {
  const bytes = randomBytes(5 * (1 << 20) + 3);
  const path = join(folder, 'large.bin');
  await writeFile(path, bytes);
  expect((await hashFile('md5', path, { readSizeBytes: 1 << 20 })).hex).toBe(md5(bytes));
  // Five full reads and the short last one, which reaches the size: no extra read to find the end.
  expect(reads).toHaveBeenCalledTimes(6);
  expect(allocatedBytes()).toBe(2 * (1 << 20));
});

it.skipIf(!existsSync('/proc/version'))(
  'reads on in full-size buffers when a file is longer than its size says (a /proc file reports 0 bytes)',
  async () => {
    const bytes = readFileSync('/proc/version');
    expect(bytes.byteLength).toBeGreaterThan(0);
    const digest = await md5File('/proc/version');
    expect(digest).toMatchObject({ hex: md5(bytes), sizeBytes: bytes.byteLength });
  },
);
