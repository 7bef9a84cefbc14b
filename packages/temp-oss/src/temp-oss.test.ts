import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpStatusError } from '@x/transport';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTempStorage } from './temp-oss.js';

/**
 * A loopback server that answers getPolicy the way the documentation types it (numbers as strings) and one client
 * saw it (the overwrite flag as a JSON boolean), and records every PostObject request byte for byte.
 */
interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const recorded: Recorded[] = [];
/** A status to answer instead of storing, or `stored-then-reset`: store the object, then drop the connection. */
let postFailures: { status: number | 'stored-then-reset'; body: string; headers?: Record<string, string> }[] =
  [];
const stored: string[] = [];
let policies = 0;
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    // Read slowly, so the client's socket fills up and its writes wait for `drain`.
    request.pause();
    setTimeout(() => request.resume(), 1);
  });
  request.on('end', () => {
    recorded.push({
      method: request.method!,
      url: request.url!,
      headers: request.headers,
      body: Buffer.concat(chunks),
    });
    if (request.method === 'GET') {
      policies++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          request_id: 'r',
          data: {
            policy: `cG9saWN5LQ==${policies}`,
            signature: 'c2lnbmF0dXJl',
            upload_dir: `dashscope-instant/acct/2026-01-01/dir${policies}`,
            upload_host: `${origin}/bucket`,
            expire_in_seconds: '300',
            max_file_size_mb: '8',
            capacity_limit_mb: '999999999',
            oss_access_key_id: 'EXAMPLE-AK-ID',
            x_oss_object_acl: 'private',
            x_oss_forbid_overwrite: true,
          },
        }),
      );
      return;
    }
    const failure = postFailures.shift();
    const key = /name="key"\r\n\r\n([^\r]*)/.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '';
    if (failure?.status === 'stored-then-reset') {
      stored.push(key);
      request.socket.destroy();
      return;
    }
    if (failure) {
      response.writeHead(failure.status, { 'content-type': 'application/xml', ...failure.headers });
      response.end(failure.body);
      return;
    }
    if (stored.includes(key)) {
      response.writeHead(409, { 'content-type': 'application/xml' });
      response.end(ossError('FileAlreadyExists', 'The object you specified already exists.'));
      return;
    }
    stored.push(key);
    response.writeHead(200);
    response.end();
  });
});
let origin = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  recorded.length = 0;
  postFailures = [];
  stored.length = 0;
});

function ossError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>1</RequestId></Error>`;
}

/** The multipart parts in order: `[name, filename, value]`. */
function parts(request: Recorded): [string, string | undefined, string][] {
  const boundary = /boundary=(.+)$/.exec(request.headers['content-type']!)![1]!;
  return request.body
    .toString('latin1')
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const [head, ...rest] = part.split('\r\n\r\n');
      const name = /name="([^"]*)"/.exec(head!)![1]!;
      const fileName = /filename="([^"]*)"/.exec(head!)?.[1];
      return [name, fileName, rest.join('\r\n\r\n').slice(0, -2)];
    });
}

describe('createTempStorage', () => {
  it('posts the documented form, file last, with an exact Content-Length and no Authorization', async () => {
    const storage = createTempStorage({ apiKey: 'sk-unit', baseUrl: `${origin}/api/v1` });
    try {
      const result = await storage.upload(Buffer.from('hello'), {
        model: 'qwen-vl-plus',
        fileName: 'hi there.txt',
      });
      expect(result.url).toBe('oss://dashscope-instant/acct/2026-01-01/dir1/hi_there.txt');
      const [getPolicy, post] = recorded;
      expect(getPolicy).toMatchObject({
        method: 'GET',
        url: '/api/v1/uploads?action=getPolicy&model=qwen-vl-plus',
        headers: { authorization: 'Bearer sk-unit' },
      });
      expect(getPolicy!.headers['user-agent']).toMatch(/^x-temp-oss\/\d+\.\d+\.\d+/);
      expect(post!.method).toBe('POST');
      expect(post!.url).toBe('/bucket');
      expect(post!.headers.authorization).toBeUndefined();
      expect(post!.headers['transfer-encoding']).toBeUndefined();
      expect(Number(post!.headers['content-length'])).toBe(post!.body.byteLength);
      expect(parts(post!)).toEqual([
        ['OSSAccessKeyId', undefined, 'EXAMPLE-AK-ID'],
        ['Signature', undefined, 'c2lnbmF0dXJl'],
        ['policy', undefined, 'cG9saWN5LQ==1'],
        ['key', undefined, 'dashscope-instant/acct/2026-01-01/dir1/hi_there.txt'],
        ['x-oss-object-acl', undefined, 'private'],
        ['x-oss-forbid-overwrite', undefined, 'true'],
        ['success_action_status', undefined, '200'],
        ['x-oss-content-type', undefined, 'text/plain'],
        ['file', 'hi_there.txt', 'hello'],
      ]);
    } finally {
      await storage.close();
    }
  });

  it('streams a file from disk byte for byte', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'temp-oss-unit-'));
    const path = join(directory, 'photo.jpg');
    const content = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(path, content);
    const storage = createTempStorage({ apiKey: 'sk-unit', baseUrl: origin });
    try {
      await storage.upload(path, { model: 'qwen-vl-plus' });
      const file = parts(recorded[1]!).at(-1)!;
      expect(file.slice(0, 2)).toEqual(['file', 'photo.jpg']);
      expect(Buffer.from(file[2], 'latin1').equals(content)).toBe(true);
    } finally {
      await storage.close();
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('reads the limit from a string max_file_size_mb', async () => {
    const storage = createTempStorage({ apiKey: 'sk-unit', baseUrl: origin });
    try {
      await expect(
        storage.upload(Buffer.alloc(8 * 1024 * 1024 + 1), { model: 'qwen-vl-plus', fileName: 'big.bin' }),
      ).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
      expect(recorded.map((request) => request.method)).toEqual(['GET']);
    } finally {
      await storage.close();
    }
  });

  it('takes the next name when the key already exists', async () => {
    const storage = createTempStorage({ apiKey: 'sk-unit', baseUrl: origin });
    postFailures = [
      { status: 409, body: ossError('FileAlreadyExists', 'The object you specified already exists.') },
    ];
    try {
      const result = await storage.upload(Buffer.from('x'), { model: 'qwen-vl-plus', fileName: 'cat.png' });
      expect(result.key.endsWith('/cat-1.png')).toBe(true);
      expect(recorded.filter((request) => request.method === 'POST')).toHaveLength(2);
    } finally {
      await storage.close();
    }
  });

  it('retries PostObject after an ambiguous attempt and takes 409 FileAlreadyExists as that attempt having landed', async () => {
    const storage = createTempStorage({ apiKey: 'sk-unit', baseUrl: origin });
    postFailures = [{ status: 'stored-then-reset', body: '' }];
    try {
      const result = await storage.upload(Buffer.from('x'), {
        model: 'qwen-vl-plus',
        fileName: 'landed.png',
      });
      expect(result.key.endsWith('/landed.png')).toBe(true);
      const posts = recorded.filter((request) => request.method === 'POST');
      expect(posts).toHaveLength(2);
      // The same key both times, from a reopened source.
      expect(parts(posts[0]!)[3]).toEqual(parts(posts[1]!)[3]);
      expect(parts(posts[1]!).at(-1)![2]).toBe('x');
    } finally {
      await storage.close();
    }
  });

  it('retries a 503, then reports a redirect as an error naming its Location, never as success', async () => {
    const storage = createTempStorage({ apiKey: 'sk-unit', baseUrl: origin });
    postFailures = [
      { status: 503, body: ossError('ServiceUnavailable', 'Please retry.') },
      { status: 302, body: '', headers: { location: 'https://elsewhere.example.com/bucket' } },
    ];
    try {
      const error = await storage
        .upload(Buffer.from('x'), { model: 'qwen-vl-plus', fileName: 'moved.png' })
        .catch((caught: unknown) => caught);
      expect(HttpStatusError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({
        status: 302,
        location: 'https://elsewhere.example.com/bucket',
        attempts: 2,
      });
      expect((error as Error).message).toContain('Location: https://elsewhere.example.com/bucket');
    } finally {
      await storage.close();
    }
  });

  it('refreshes an expired policy only once', async () => {
    const storage = createTempStorage({ apiKey: 'sk-unit', baseUrl: origin });
    const expired = {
      status: 403,
      body: ossError('AccessDenied', 'Invalid according to Policy: Policy expired.'),
    };
    postFailures = [expired, expired];
    try {
      const error = await storage
        .upload(Buffer.from('x'), { model: 'qwen-vl-plus', fileName: 'x.txt' })
        .catch((caught: unknown) => caught);
      expect(HttpStatusError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ status: 403, serviceCode: 'AccessDenied' });
      expect(recorded.map((request) => request.method)).toEqual(['GET', 'POST', 'GET', 'POST']);
      const [, firstPost, , secondPost] = recorded;
      expect(parts(firstPost!)[2]![2]).not.toBe(parts(secondPost!)[2]![2]);
    } finally {
      await storage.close();
    }
  });

  it('refuses a limiter next to a transport of your own', () => {
    const limiter = { acquire: async () => undefined };
    const transport = { request: async () => ({}) as never, close: async () => undefined };
    expect(() => createTempStorage({ transport, limiter })).toThrow(/Pass the limiter to createTransport/);
  });
});
