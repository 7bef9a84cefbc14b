import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import busboy from 'busboy';
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { fileReadSizeBytes } from '../src/file-body.js';
import {
  createTransport,
  fileBody,
  multipartBody,
  resolveUploadSource,
  type Transport,
} from '../src/index.js';
import { type LoopbackServer, sendJson, startServer } from './helpers.js';

// How many reads a file body makes and how large the buffers it reads into are: counted at the file handle, whatever
// the machine. Every buffer a read fills is one the body allocated for it.
let directory: string;
let server: LoopbackServer | undefined;
let transport: Transport | undefined;
let reads: MockInstance;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'x-transport-read-buffers-'));
  const probe = await open(join(directory, 'probe'), 'w');
  const prototype = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => unknown };
  await probe.close();
  reads = vi.spyOn(prototype, 'read');
});
afterEach(async () => {
  await transport?.close();
  await server?.close();
  transport = undefined;
  server = undefined;
  reads.mockClear();
});
afterAll(async () => {
  reads.mockRestore();
  await rm(directory, { recursive: true, force: true });
});

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
/** The buffers the reads filled, once each. */
const readBuffers = () => [...new Set(reads.mock.calls.map((call) => call[0] as Uint8Array))];
const allocatedBytes = () => readBuffers().reduce((total, buffer) => total + buffer.byteLength, 0);

async function generated(name: string, sizeBytes: number): Promise<{ path: string; bytes: Buffer }> {
  const bytes = randomBytes(sizeBytes);
  const path = join(directory, name);
  await writeFile(path, bytes);
  return { path, bytes };
}

function parseForm(
  headers: Record<string, unknown>,
  body: Buffer,
): Promise<{ md5: string; sizeBytes: number }> {
  return new Promise((resolve, reject) => {
    const parser = busboy({ headers: headers as Record<string, string> });
    parser.on('file', (_name, stream) => {
      const hash = createHash('md5');
      let sizeBytes = 0;
      stream.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        sizeBytes += chunk.byteLength;
      });
      stream.on('end', () => resolve({ md5: hash.digest('hex'), sizeBytes }));
    });
    parser.on('error', reject);
    parser.end(body);
  });
}

describe('a 10 KiB file', () => {
  const sizeBytes = 10 * 1024;

  it('is one read into one buffer of its size, sent whole, as a PUT body', async () => {
    const { path, bytes } = await generated('put-10k.bin', sizeBytes);
    const opened = await fileBody(path).open({ reuseBuffers: true });
    expect(opened.sizeBytes).toBe(sizeBytes);
    expect(opened.stream).toBeUndefined();
    expect(opened.bytes?.buffer.byteLength).toBe(sizeBytes);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(allocatedBytes()).toBe(sizeBytes);

    reads.mockClear();
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url, retry: false });
    await transport.request({ method: 'PUT', path: '/o', body: fileBody(path) });
    expect(reads).toHaveBeenCalledTimes(1);
    expect(allocatedBytes()).toBe(sizeBytes);
    const [received] = server.requests;
    expect(received?.headers['content-length']).toBe(String(sizeBytes));
    expect(md5(received!.body)).toBe(md5(bytes));
  });

  it('is one read into one buffer of its size as a multipart file part', async () => {
    const { path, bytes } = await generated('form-10k.bin', sizeBytes);
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url, retry: false });
    await transport.request({
      method: 'POST',
      path: '/form',
      body: multipartBody([
        { name: 'purpose', value: 'batch' },
        { name: 'file', file: path },
      ]),
    });
    expect(reads).toHaveBeenCalledTimes(1);
    expect(allocatedBytes()).toBe(sizeBytes);
    const [received] = server.requests;
    expect(received?.headers['content-length']).toBe(String(received!.body.byteLength));
    expect(await parseForm(received!.headers, received!.body)).toEqual({ md5: md5(bytes), sizeBytes });
  });

  it('is read once for its digest and every attempt of its body (a retried PUT sends the same bytes)', async () => {
    const { path, bytes } = await generated('digest-10k.bin', sizeBytes);
    const source = await resolveUploadSource(path);
    const digest = await source.digest('md5');
    expect(digest).toMatchObject({ hex: md5(bytes), sizeBytes });
    server = await startServer((_request, response, index) =>
      index === 0 ? sendJson(response, 503, {}) : sendJson(response, 200, {}),
    );
    transport = createTransport({ baseUrl: server.url, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    await transport.request({ method: 'PUT', path: '/o', body: source.toBody(''), idempotent: true });
    expect(server.requests.map((request) => md5(request.body))).toEqual([md5(bytes), md5(bytes)]);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(allocatedBytes()).toBe(sizeBytes);
  });
});

describe('a file of several reads', () => {
  const readSize = fileReadSizeBytes;

  it('recycles one read-size buffer per chunk up to four, and sends every byte', async () => {
    const sizeBytes = 2.5 * readSize;
    const { path, bytes } = await generated('put-2.5-reads.bin', sizeBytes);
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url, retry: false });
    await transport.request({ method: 'PUT', path: '/o', body: fileBody(path) });
    expect(reads).toHaveBeenCalledTimes(3);
    expect(readBuffers().map((buffer) => buffer.byteLength)).toEqual([readSize, readSize, readSize]);
    expect(md5(server.requests[0]!.body)).toBe(md5(bytes));
  });

  it('never holds more than four read-size buffers, however large the file', async () => {
    const sizeBytes = 9 * readSize + 5;
    const { path, bytes } = await generated('put-9-reads.bin', sizeBytes);
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url, retry: false });
    await transport.request({ method: 'PUT', path: '/o', body: fileBody(path) });
    expect(reads).toHaveBeenCalledTimes(10);
    expect(allocatedBytes()).toBe(4 * readSize);
    expect(md5(server.requests[0]!.body)).toBe(md5(bytes));
  });

  it('reads a file between 1 MiB and one read in one read into one buffer of its size', async () => {
    const sizeBytes = (1 << 20) + 100;
    const { path, bytes } = await generated('put-1m.bin', sizeBytes);
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url, retry: false });
    await transport.request({ method: 'PUT', path: '/o', body: fileBody(path) });
    expect(reads).toHaveBeenCalledTimes(1);
    expect(allocatedBytes()).toBe(sizeBytes);
    expect(md5(server.requests[0]!.body)).toBe(md5(bytes));
  });
});
