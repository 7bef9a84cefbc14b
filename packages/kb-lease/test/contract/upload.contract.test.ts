import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acs3, createTransport, InvalidInputError } from '@x/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeBaseError } from '../../src/index.js';
import { contractContext, pdfBytes } from './contract-context.js';
import { leaseHeadersAsString } from './lease-headers-transport.js';

const context = await contractContext();
const fast = { pollIntervalMs: 100, maxPollIntervalMs: 500 };

function emulatorTransport() {
  return createTransport({ baseUrl: context.url, auth: acs3(context.credentials) });
}

async function fileCount(name: string): Promise<number> {
  const client = context.client();
  let count = 0;
  for await (const file of client.listFiles({ fileName: name.replace(/\.[^.]+$/, '') })) {
    if (file.FileName === name) count += 1;
  }
  return count;
}

describe('uploadDocument', () => {
  it('takes a file to PARSE_SUCCESS with the lease headers as an object', async () => {
    const path = await context.file('object-headers.pdf', pdfBytes('object headers'));
    const progress: number[] = [];
    const document = await context.client().uploadDocument(path, {
      tags: ['产品介绍', 'v1_2-a'],
      ...fast,
      onProgress: ({ loadedBytes }) => progress.push(loadedBytes),
    });
    expect(document.status).toBe('PARSE_SUCCESS');
    expect(document.fileId).toMatch(/^file_/);
    expect(document.md5).toBe(createHash('md5').update(pdfBytes('object headers')).digest('hex'));
    expect(document.file?.Tags).toEqual(['产品介绍', 'v1_2-a']);
    expect(progress.at(-1)).toBe(document.sizeBytes);
    expect(await fileCount('object-headers.pdf')).toBe(1);
  });

  it('takes a file to PARSE_SUCCESS with the lease headers as the string fragment of seed 000', async () => {
    const transport = leaseHeadersAsString(emulatorTransport());
    const path = await context.file('string-headers.pdf', pdfBytes('string headers'));
    const document = await context.client({ transport }).uploadDocument(path, fast);
    expect(document.status).toBe('PARSE_SUCCESS');
    expect(transport.putCount).toBe(1);
    await transport.close();
  });

  it('fails with PARSE_FAILED and the parse message for a document that cannot be parsed', async () => {
    const path = await context.file('broken.pdf', 'not a pdf at all');
    const error = await context
      .client()
      .uploadDocument(path, fast)
      .catch((caught: unknown) => caught);
    expect(KnowledgeBaseError.isInstance(error)).toBe(true);
    expect((error as KnowledgeBaseError).code).toBe('PARSE_FAILED');
    expect((error as KnowledgeBaseError).message).toMatch(/broken\.pdf.*PARSE_FAILED.*not a valid pdf/);
  });

  it('takes a new lease when the lease URL expired before the PUT', async () => {
    const before = await context.admin.calls({ route: 'ApplyFileUploadLease' });
    const transport = leaseHeadersAsString(emulatorTransport(), {
      beforeFirstPut: () => context.admin.advanceClock(11 * 60_000).then(() => undefined),
    });
    try {
      const path = await context.file('expired-lease.txt', 'a lease that expires before its upload');
      const document = await context.client({ transport }).uploadDocument(path, fast);
      expect(document.status).toBe('PARSE_SUCCESS');
      expect(document.leases).toBe(2);
      const after = await context.admin.calls({ route: 'ApplyFileUploadLease' });
      expect(after.length - before.length).toBe(2);
      expect(transport.putCount).toBe(2);
    } finally {
      await context.admin.reset();
      await transport.close();
    }
  });

  it('checks tags, names, types and ParserConfig before any call', async () => {
    const before = (await context.admin.calls()).length;
    const client = context.client();
    const path = await context.file('checked.pdf', pdfBytes('checked'));
    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'resolved',
        (error: unknown) => (InvalidInputError.isInstance(error) ? error.code : String(error)),
      );
    expect(await codeOf(client.uploadDocument(path, { tags: ['has space'] }))).toBe('INVALID_TAGS');
    expect(await codeOf(client.uploadDocument(path, { tags: ['x'.repeat(33)] }))).toBe('INVALID_TAGS');
    expect(await codeOf(client.uploadDocument(path, { fileName: 'a.b' }))).toBe('INVALID_FILE_NAME');
    expect(await codeOf(client.uploadDocument(path, { fileName: 'no-extension' }))).toBe('INVALID_FILE_NAME');
    expect(await codeOf(client.uploadDocument(path, { fileName: 'tool.exe' }))).toBe('UNSUPPORTED_FILE_TYPE');
    expect(
      await codeOf(
        client.uploadDocument(path, { parserConfig: { ModelName: 'qwen-vl-max', Prompt: 'x' } as never }),
      ),
    ).toBe('INVALID_PARSER_CONFIG');
    expect(await codeOf(client.uploadDocument(path, { parser: 'auto' }))).toBe('INVALID_OPTIONS');
    expect(await codeOf(client.uploadDocument(path, { unknown: 1 } as never))).toBe('INVALID_OPTIONS');
    expect((await context.admin.calls()).length).toBe(before);
  });
});

describe('uploadDocument from an http:// source', () => {
  const body = Buffer.from('Knowledge from a web server.\n'.repeat(100));
  const md5 = createHash('md5').update(body).digest();
  let server: Server;
  let base: string;
  const gets: string[] = [];
  let changing = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = request.url ?? '/';
      if (request.method === 'GET') gets.push(path);
      if (path.startsWith('/changing/')) {
        changing += request.method === 'GET' ? 1 : 0;
        const bytes = Buffer.from(body);
        if (changing >= 2) bytes[0] = 0x2a;
        response.writeHead(200, { 'content-length': bytes.byteLength, 'content-type': 'text/plain' });
        response.end(request.method === 'HEAD' ? undefined : bytes);
        return;
      }
      const headers: Record<string, string | number> = {
        'content-length': body.byteLength,
        'content-type': 'text/plain',
      };
      if (path.startsWith('/md5/')) headers['content-md5'] = md5.toString('base64');
      if (path.startsWith('/oss/')) {
        headers['x-oss-object-type'] = 'Normal';
        headers.etag = `"${md5.toString('hex').toUpperCase()}"`;
      }
      response.writeHead(200, headers);
      response.end(request.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['with Content-MD5, read once', '/md5/web-md5.txt', 1],
    ['with an OSS plain-upload ETag, read once', '/oss/web-etag.txt', 1],
    ['without a declared MD5, hashed in a first pass', '/plain/web-plain.txt', 2],
  ])('%s', async (_name, path, expectedGets) => {
    gets.length = 0;
    const document = await context.client().uploadDocument(`${base}${path}`, fast);
    expect(document.status).toBe('PARSE_SUCCESS');
    expect(document.fileName).toBe(path.split('/').pop());
    expect(document.md5).toBe(md5.toString('hex'));
    expect(gets.filter((got) => got === path)).toHaveLength(expectedGets);
  });

  it('fails with FILE_CHANGED before AddFile when the source changes between its passes', async () => {
    const before = (await context.admin.calls({ route: 'AddFile' })).length;
    const error = await context
      .client()
      .uploadDocument(`${base}/changing/web-changing.txt`, fast)
      .catch((caught: unknown) => caught);
    expect(InvalidInputError.isInstance(error) && error.code).toBe('FILE_CHANGED');
    expect((await context.admin.calls({ route: 'AddFile' })).length).toBe(before);
  });
});

it('fails with FILE_CHANGED before AddFile when a given md5 is not that of a small file read whole', async () => {
  const path = await context.file('given-md5.pdf', pdfBytes('given md5'));
  const before = (await context.admin.calls({ route: 'AddFile' })).length;
  const error = await context
    .client()
    .uploadDocument(path, { ...fast, md5: '0123456789abcdef0123456789abcdef' })
    .catch((caught: unknown) => caught);
  expect(InvalidInputError.isInstance(error) && error.code).toBe('FILE_CHANGED');
  expect((await context.admin.calls({ route: 'AddFile' })).length).toBe(before);
});

describe('updateDocument', () => {
  it('keeps the old version when the new one fails to parse, and replaces it when it parses', async () => {
    const client = context.client();
    const oldPath = await context.file('handbook.pdf', pdfBytes('version 1'));
    const old = await client.uploadDocument(oldPath, fast);
    const brokenPath = await context.file('broken-v2/handbook.pdf'.replace('/', '-'), 'not a pdf');
    const error = await client
      .updateDocument(old.fileId, brokenPath, { fileName: 'handbook.pdf', ...fast })
      .catch((caught: unknown) => caught);
    expect(KnowledgeBaseError.isInstance(error) && error.code).toBe('PARSE_FAILED');
    expect((await client.describeFile(old.fileId)).Status).toBe('PARSE_SUCCESS');
    expect(await fileCount('handbook.pdf')).toBe(1);

    const newPath = await context.file('handbook-v3.pdf', pdfBytes('version 3'));
    const updated = await client.updateDocument(old.fileId, newPath, { fileName: 'handbook.pdf', ...fast });
    expect(updated.replacedFileId).toBe(old.fileId);
    expect(updated.status).toBe('PARSE_SUCCESS');
    const gone = await client.describeFile(old.fileId).catch((caught: unknown) => caught);
    expect(gone).toBeInstanceOf(Error);
    expect(await fileCount('handbook.pdf')).toBe(1);
  });
});
