import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractContext } from './contract-context.js';

const context = await contractContext();
const mebibyte = 1024 * 1024;
const sizeBytes = 1024 * mebibyte;

/** Chunk `index` of the 1 GiB document: one random MiB with the chunk number written into it (the first is a PDF). */
function chunk(block: Buffer, index: number): Buffer {
  const bytes = Buffer.from(block);
  bytes.writeUInt32BE(index, 64);
  if (index === 0) bytes.write('%PDF-1.4\n', 0, 'latin1');
  return bytes;
}

describe('an http:// source of 1 GiB', () => {
  const block = randomBytes(mebibyte);
  let server: Server;
  let url: string;
  let md5: Buffer;

  beforeAll(async () => {
    const hash = createHash('md5');
    for (let index = 0; index < sizeBytes / mebibyte; index += 1) hash.update(chunk(block, index));
    md5 = hash.digest();
    server = createServer((request, response) => {
      response.writeHead(200, {
        'content-length': sizeBytes,
        'content-type': 'application/pdf',
        'content-md5': md5.toString('base64'),
      });
      if (request.method === 'HEAD') {
        response.end();
        return;
      }
      let index = 0;
      const pump = () => {
        while (index < sizeBytes / mebibyte) {
          const isWritable = response.write(chunk(block, index));
          index += 1;
          if (!isWritable) {
            response.once('drain', pump);
            return;
          }
        }
        response.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/large-source.pdf`;
  }, 60_000);
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('streams to the lease PUT without touching disk, memory bounded by small buffers', async () => {
    const client = context.client({ maxFileSizeBytes: 2 * 1024 * mebibyte });
    globalThis.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    let lastLoaded = 0;
    try {
      const document = await client.uploadDocument(url, {
        wait: false,
        onProgress: ({ loadedBytes }) => {
          lastLoaded = loadedBytes;
          peak = Math.max(peak, process.memoryUsage().rss);
        },
      });
      expect(document.sizeBytes).toBe(sizeBytes);
      expect(document.md5).toBe(md5.toString('hex'));
      expect(document.fileId).toMatch(/^file_/);
    } finally {
      clearInterval(sampler);
    }
    expect(lastLoaded).toBe(sizeBytes);
    // The source's bytes pass through in socket-sized chunks: the process grows by far less than the document.
    expect(peak - baseline).toBeLessThan(96 * mebibyte);
  }, 180_000);
});
