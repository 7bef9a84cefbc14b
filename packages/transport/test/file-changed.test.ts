import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import busboy from 'busboy';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTransport,
  fileBody,
  multipartBody,
  type RequestBody,
  resolveUploadSource,
  statFile,
  type Transport,
} from '../src/index.js';
import { type LoopbackServer, sendJson, startServer } from './helpers.js';

let directory: string;
let server: LoopbackServer | undefined;
let transport: Transport | undefined;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'x-transport-changed-'));
});
afterAll(() => rm(directory, { recursive: true, force: true }));
afterEach(async () => {
  await transport?.close();
  await server?.close();
});

const sizeBytes = 3 * (1 << 20) + 123;
/** Each change is made synchronously when the first chunk is handed over, so it lands before the last read. */
const changes: Record<string, (path: string) => void> = {
  grows(path) {
    appendFileSync(path, Buffer.alloc(1000, 9));
  },
  'is rewritten in place'(path) {
    const descriptor = openSync(path, 'r+');
    writeSync(descriptor, Buffer.alloc(4096, 7), 0, 4096, sizeBytes - 4096);
    closeSync(descriptor);
  },
  'is replaced by a rename'(path) {
    // The new version was written beside it before the upload began; only the rename happens now.
    renameSync(`${path}.new`, path);
  },
};

async function fileBytesReceived(request: LoopbackServer['requests'][number]): Promise<Buffer> {
  if (!String(request.headers['content-type']).startsWith('multipart/')) return request.body;
  return new Promise((resolve, reject) => {
    const parser = busboy({ headers: request.headers });
    parser.on('file', (_name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
    parser.on('error', reject);
    parser.end(request.body);
  });
}

describe('a file that changes while it is sent', () => {
  const bodyKinds: Record<string, (path: string) => RequestBody> = {
    fileBody: (path) => fileBody(path),
    'a multipart path part': (path) => multipartBody([{ name: 'file', file: path }]),
  };
  for (const [kind, makeBody] of Object.entries(bodyKinds)) {
    for (const [change, apply] of Object.entries(changes)) {
      it(`${change} (${kind}): FILE_CHANGED, retried by reopening, the new version sent whole`, async () => {
        const path = join(directory, `${kind}-${change}.bin`.replace(/\s+/g, '-'));
        await writeFile(path, randomBytes(sizeBytes));
        await writeFile(`${path}.new`, randomBytes(sizeBytes));
        server = await startServer((_request, response) => sendJson(response, 200, {}));
        transport = createTransport({
          baseUrl: server.url,
          retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
        });
        let hasChanged = false;
        const response = await transport.request({
          method: 'PUT',
          path: '/object',
          body: makeBody(path),
          onProgress: () => {
            if (hasChanged) return;
            hasChanged = true;
            apply(path);
          },
        });
        expect(response.attempts).toBe(2);
        const now = await readFile(path);
        const completed = server.requests.filter((request) => request.body.byteLength > 0);
        const received = await fileBytesReceived(completed.at(-1)!);
        expect(received.byteLength).toBe(now.byteLength);
        expect(received.equals(now)).toBe(true);
      });
    }
  }

  it('with unchangedSince (an MD5 taken first), a change fails at once and is not retried', async () => {
    const path = join(directory, 'md5-first.bin');
    await writeFile(path, randomBytes(1000));
    const before = await statFile(path);
    await appendFile(path, 'x');
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({
      baseUrl: server.url,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const error = await transport
      .request({ method: 'PUT', path: '/object', body: fileBody(path, { unchangedSince: before }) })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'FILE_CHANGED', isRetryable: false, attempts: 1, path });
    expect(server.requests).toHaveLength(0);
    // The same holds for a resolved upload source's raw body.
    const source = await resolveUploadSource(path);
    await writeFile(path, randomBytes(1001));
    await expect(
      transport.request({ method: 'PUT', path: '/object', body: source.toBody() }),
    ).rejects.toMatchObject({ code: 'FILE_CHANGED', isRetryable: false });
  });
});
