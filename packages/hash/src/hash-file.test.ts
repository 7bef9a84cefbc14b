import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHasher } from './create-hasher.js';
import { HashError } from './hash-error.js';
import { hashFile, md5File } from './hash-file.js';
import { hashStream } from './hash-stream.js';

let folder: string;
let bigFile: string;
let bigSizeBytes: number;

/** Writes `sizeBytes` of deterministic, non-repeating bytes (a xorshift stream) to `path`. */
async function writeGeneratedFile(path: string, sizeBytes: number): Promise<void> {
  const handle = await open(path, 'w');
  const chunk = Buffer.alloc(1 << 20);
  let state = 0x9e3779b9;
  try {
    for (let written = 0; written < sizeBytes; written += chunk.length) {
      for (let offset = 0; offset < chunk.length; offset += 4) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        chunk.writeInt32LE(state | 0, offset);
      }
      await handle.write(chunk, 0, Math.min(chunk.length, sizeBytes - written));
    }
  } finally {
    await handle.close();
  }
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'x-hash-'));
  bigFile = join(folder, 'big.bin');
  bigSizeBytes = 9 * (1 << 20) + 12_345; // several reads plus a ragged tail
  await writeGeneratedFile(bigFile, bigSizeBytes);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('md5File', () => {
  it('agrees with md5sum on a multi-megabyte file', async () => {
    const expected = execFileSync('md5sum', [bigFile], { encoding: 'utf8' }).split(' ')[0];
    const digest = await md5File(bigFile);
    expect(digest.hex).toBe(expected);
    expect(digest.base64).toBe(Buffer.from(expected!, 'hex').toString('base64'));
    expect(digest.sizeBytes).toBe(bigSizeBytes);
  });

  it('hashes an empty file', async () => {
    const empty = join(folder, 'empty.txt');
    await writeFile(empty, '');
    expect(await md5File(empty)).toEqual({
      hex: 'd41d8cd98f00b204e9800998ecf8427e',
      base64: '1B2M2Y8AsgTpgAmY7PhCfg==',
      sizeBytes: 0,
    });
  });

  it('gives the same digest whatever the read size', async () => {
    const expected = (await md5File(bigFile)).hex;
    for (const readSizeBytes of [4096, 65_536, 3 * 1024 * 1024 + 7]) {
      expect((await md5File(bigFile, { readSizeBytes })).hex).toBe(expected);
    }
  });

  it('reports progress up to the file size', async () => {
    const seen: number[] = [];
    await md5File(bigFile, {
      onProgress: ({ loadedBytes, totalBytes }) => {
        expect(totalBytes).toBe(bigSizeBytes);
        seen.push(loadedBytes);
      },
    });
    expect(seen.at(-1)).toBe(bigSizeBytes);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('stops mid-file on abort with the signal reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    let reads = 0;
    const promise = md5File(bigFile, {
      readSizeBytes: 1 << 20,
      signal: controller.signal,
      onProgress: () => {
        reads += 1;
        if (reads === 2) controller.abort(reason);
      },
    });
    await expect(promise).rejects.toBe(reason);
    expect(reads).toBe(2);
  });

  it('rejects at once when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(md5File(bigFile, { signal: controller.signal })).rejects.toBe(controller.signal.reason);
  });

  it('names the path of a missing file', async () => {
    const missing = join(folder, 'nope.pdf');
    const error = await md5File(missing).catch((caught: unknown) => caught);
    expect(HashError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'FILE_NOT_FOUND', path: missing });
    expect((error as Error).message).toContain(missing);
  });

  it('refuses a directory', async () => {
    await expect(md5File(folder)).rejects.toMatchObject({ code: 'NOT_A_FILE', path: folder });
  });

  it.skipIf(process.getuid?.() === 0)('reports an unreadable file', async () => {
    const locked = join(folder, 'locked.txt');
    await writeFile(locked, 'secret');
    await chmod(locked, 0o000);
    await expect(md5File(locked)).rejects.toMatchObject({ code: 'FILE_NOT_READABLE', path: locked });
  });
});

describe('every input kind gives the same digest', () => {
  it('path, Node stream, web stream, async iterable, bytes and incremental hasher agree', async () => {
    const expected = await hashFile('sha256', bigFile);
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(bigFile);

    const fromNodeStream = await hashStream('sha256', createReadStream(bigFile));
    const fromWebStream = await hashStream(
      'sha256',
      Readable.toWeb(createReadStream(bigFile)) as ReadableStream<Uint8Array>,
    );
    async function* pieces() {
      for (let offset = 0; offset < bytes.length; offset += 100_003)
        yield bytes.subarray(offset, offset + 100_003);
    }
    const fromIterable = await hashStream('sha256', pieces());
    const fromBytes = await hashStream('sha256', bytes);
    const hasher = createHasher('sha256');
    for await (const piece of pieces()) hasher.update(piece);

    for (const digest of [fromNodeStream, fromWebStream, fromIterable, fromBytes, hasher.digest()]) {
      expect(digest).toEqual(expected);
    }
  });

  it('hashes text as UTF-8', async () => {
    expect((await hashStream('md5', 'héllo')).hex).toBe((await hashStream('md5', Buffer.from('héllo'))).hex);
  });

  it('aborts a stream that never ends, with the signal reason', async () => {
    const controller = new AbortController();
    const stalled = new Readable({ read() {} });
    stalled.push(Buffer.from('some'));
    const promise = hashStream('md5', stalled, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('gave up')), 20);
    await expect(promise).rejects.toThrow('gave up');
    expect(stalled.destroyed).toBe(true);
  });
});
