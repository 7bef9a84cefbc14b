import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileChunkBytes, readFileChunks } from './read-file-chunks.js';

const directory = await mkdtemp(join(tmpdir(), 'read-file-chunks-'));
afterAll(() => rm(directory, { recursive: true, force: true }));

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; sizes: number[] }> {
  const copies: Buffer[] = [];
  for await (const chunk of chunks) copies.push(Buffer.from(chunk)); // copy: buffers are reused
  return { bytes: Buffer.concat(copies), sizes: copies.map((copy) => copy.byteLength) };
}

describe('readFileChunks', () => {
  it('yields exactly the declared bytes in full chunks, the short tail last', async () => {
    const content = randomBytes(2 * fileChunkBytes + 123);
    const path = join(directory, 'three-chunks.bin');
    await writeFile(path, content);
    const { bytes, sizes } = await collect(readFileChunks(path, content.byteLength));
    expect(bytes.equals(content)).toBe(true);
    expect(sizes).toEqual([fileChunkBytes, fileChunkBytes, 123]);
  });

  it('reuses two buffers for full chunks', async () => {
    const path = join(directory, 'four-chunks.bin');
    await writeFile(path, Buffer.alloc(4 * fileChunkBytes, 7));
    const seen = new Set<ArrayBufferLike>();
    for await (const chunk of readFileChunks(path, 4 * fileChunkBytes)) seen.add(chunk.buffer);
    expect(seen.size).toBe(2);
  });

  it('stops at the declared size when the file grew, and fails when it shrank', async () => {
    const path = join(directory, 'changing.bin');
    await writeFile(path, Buffer.alloc(1000, 1));
    expect((await collect(readFileChunks(path, 10))).bytes).toEqual(Buffer.alloc(10, 1));
    await expect(collect(readFileChunks(path, 2000))).rejects.toMatchObject({ code: 'FILE_CHANGED' });
    await expect(collect(readFileChunks(join(directory, 'missing.bin'), 10))).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    expect((await collect(readFileChunks(path, 0))).sizes).toEqual([]);
  });

  it('closes the file when the consumer stops early', async () => {
    const path = join(directory, 'early.bin');
    await writeFile(path, Buffer.alloc(3 * fileChunkBytes));
    const chunks = readFileChunks(path, 3 * fileChunkBytes);
    await chunks.next();
    await expect(chunks.return(undefined)).resolves.toEqual({ done: true, value: undefined });
    await rm(path);
  });
});
