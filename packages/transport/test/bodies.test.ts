import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bytesBody,
  createTransport,
  fileBody,
  formBody,
  InvalidInputError,
  jsonBody,
  multipartBody,
  streamBody,
  type Transport,
  type UploadProgress,
} from '../src/index.js';
import { type LoopbackServer, sendJson, startServer } from './helpers.js';

let server: LoopbackServer | undefined;
let transport: Transport | undefined;
let directory: string;
afterEach(async () => {
  await transport?.close();
  await server?.close();
  transport = undefined;
  server = undefined;
});
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'x-transport-bodies-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface ParsedForm {
  fields: Record<string, string>;
  files: { name: string; fileName: string; mimeType: string; sha256: string; sizeBytes: number }[];
}

/** Parses a multipart body with busboy, as a real server would. */
function parseMultipart(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): Promise<ParsedForm> {
  return new Promise((resolve, reject) => {
    const form: ParsedForm = { fields: {}, files: [] };
    const parser = busboy({ headers: headers as Record<string, string>, defParamCharset: 'utf8' });
    parser.on('field', (name, value) => {
      form.fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      const hash = createHash('sha256');
      let sizeBytes = 0;
      stream.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        sizeBytes += chunk.byteLength;
      });
      stream.on('end', () =>
        form.files.push({
          name,
          fileName: info.filename ?? '',
          mimeType: info.mimeType,
          sha256: hash.digest('hex'),
          sizeBytes,
        }),
      );
    });
    parser.on('close', () => resolve(form));
    parser.on('error', reject);
    parser.end(body);
  });
}

describe('multipartBody', () => {
  it('sends an exact content-length that equals the bytes received, and busboy reads back every field and file', async () => {
    const fileBytes = randomBytes(9 * (1 << 20) + 12_345);
    const path = join(directory, 'report 报告.pdf');
    await writeFile(path, fileBytes);
    const blobBytes = randomBytes(70_000);
    const streamBytes = randomBytes(5000);
    server = await startServer((_request, response) => sendJson(response, 200, { id: 'file-1' }));
    transport = createTransport({ baseUrl: server.url, retry: false });
    const progress: UploadProgress[] = [];
    await transport.request({
      method: 'POST',
      path: '/files',
      body: multipartBody([
        { name: 'file', file: path, contentType: 'application/pdf' },
        { name: 'purpose', value: 'file-extract' },
        { name: 'blob', file: new File([blobBytes], 'data.bin', { type: 'application/x-thing' }) },
        {
          name: 'stream',
          file: { stream: () => Readable.from([streamBytes]), sizeBytes: streamBytes.byteLength },
          fileName: 's.txt',
        },
        { name: 'note', value: 'ünïcode "quoted" value\r\nsecond line' },
      ]),
      onProgress: (value) => progress.push(value),
    });
    const [received] = server.requests;
    expect(received?.headers['transfer-encoding']).toBeUndefined();
    expect(Number(received?.headers['content-length'])).toBe(received?.body.byteLength);
    const form = await parseMultipart(received!.headers, received!.body);
    expect(form.fields).toEqual({ purpose: 'file-extract', note: 'ünïcode "quoted" value\r\nsecond line' });
    expect(form.files).toEqual([
      {
        name: 'file',
        fileName: 'report 报告.pdf',
        mimeType: 'application/pdf',
        sha256: sha256(fileBytes),
        sizeBytes: fileBytes.byteLength,
      },
      {
        name: 'blob',
        fileName: 'data.bin',
        mimeType: 'application/x-thing',
        sha256: sha256(blobBytes),
        sizeBytes: blobBytes.byteLength,
      },
      {
        name: 'stream',
        fileName: 's.txt',
        mimeType: 'application/octet-stream',
        sha256: sha256(streamBytes),
        sizeBytes: 5000,
      },
    ]);
    // Fields come first: the text parts precede the first file part on the wire.
    const wire = received!.body.toString('latin1');
    expect(wire.indexOf('name="note"')).toBeLessThan(wire.indexOf('name="file"'));
    // Progress counts the files' own bytes (never the envelope), is monotonic and ends at the exact total.
    const total = fileBytes.byteLength + blobBytes.byteLength + streamBytes.byteLength;
    expect(total).toBeLessThan(received!.body.byteLength);
    expect(progress.every((event) => event.totalBytes === total)).toBe(true);
    expect(progress.at(-1)).toEqual({ loadedBytes: total, totalBytes: total });
    for (let index = 1; index < progress.length; index += 1) {
      expect(progress[index]!.loadedBytes).toBeGreaterThan(progress[index - 1]!.loadedBytes);
    }
    // The file was read in 1 MiB chunks, not re-chunked small.
    expect(progress.length).toBeLessThan(18);
  });

  it('sends an empty file part and still frames the body exactly', async () => {
    const path = join(directory, 'empty.txt');
    await writeFile(path, '');
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url, retry: false });
    await transport.request({
      method: 'POST',
      path: '/files',
      body: multipartBody([{ name: 'file', file: path }]),
    });
    const [received] = server.requests;
    expect(Number(received?.headers['content-length'])).toBe(received?.body.byteLength);
    const form = await parseMultipart(received!.headers, received!.body);
    expect(form.files).toEqual([
      {
        name: 'file',
        fileName: 'empty.txt',
        mimeType: 'application/octet-stream',
        sha256: sha256(Buffer.alloc(0)),
        sizeBytes: 0,
      },
    ]);
  });

  it('fails before sending when a file part is missing', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url, retry: false });
    const error = await transport
      .request({
        method: 'POST',
        path: '/files',
        body: multipartBody([{ name: 'file', file: join(directory, 'nope') }]),
      })
      .catch((caught: unknown) => caught);
    expect(InvalidInputError.isInstance(error) && error.code).toBe('FILE_NOT_FOUND');
    expect(server.requests).toHaveLength(0);
  });
});

describe('other bodies', () => {
  it('encodes a form as the Alibaba Cloud SDK does and drops undefined fields', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url });
    await transport.request({
      method: 'POST',
      path: '/f',
      body: formBody({
        FileName: "a (1)*!'~.pdf",
        Tags: JSON.stringify(['x', 'y z']),
        Skip: undefined,
        Size: 11,
        Flag: false,
      }),
    });
    const [received] = server.requests;
    expect(received?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(received?.body.toString()).toBe(
      "FileName=a%20(1)*!'~.pdf&Tags=%5B%22x%22%2C%22y%20z%22%5D&Size=11&Flag=false",
    );
    expect(received?.headers['content-length']).toBe(String(received?.body.byteLength));
  });

  it('sends JSON and bytes bodies with their content types and exact lengths', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url });
    await transport.request({ method: 'POST', path: '/j', body: jsonBody({ a: 'é' }) });
    await transport.request({ method: 'PUT', path: '/b', body: bytesBody(new Uint8Array([1, 2, 3])) });
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');
    expect(server.requests[0]?.body.toString()).toBe('{"a":"é"}');
    expect(server.requests[0]?.headers['content-length']).toBe('10');
    expect(server.requests[1]?.headers['content-type']).toBe('application/octet-stream');
    expect([...server.requests[1]!.body]).toEqual([1, 2, 3]);
  });

  it('streams a file with an exact content-length (never chunked) and the given content type', async () => {
    const bytes = randomBytes(11 * (1 << 20) + 7);
    const path = join(directory, 'put.bin');
    await writeFile(path, bytes);
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url });
    await transport.request({
      method: 'PUT',
      path: '/o',
      body: fileBody(path, { contentType: 'application/pdf' }),
    });
    const [received] = server.requests;
    expect(received?.headers['content-length']).toBe(String(bytes.byteLength));
    expect(received?.headers['transfer-encoding']).toBeUndefined();
    expect(received?.headers['content-type']).toBe('application/pdf');
    expect(sha256(received!.body)).toBe(sha256(bytes));
  });

  it('sends the same bytes through a dispatcher the transport does not know (fresh buffers, no recycling)', async () => {
    const bytes = randomBytes(6 * (1 << 20) + 3);
    const path = join(directory, 'composed.bin');
    await writeFile(path, bytes);
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    const agent = new Agent();
    transport = createTransport({ baseUrl: server.url, dispatcher: agent.compose((dispatch) => dispatch) });
    await transport.request({ method: 'PUT', path: '/o', body: fileBody(path) });
    await transport.request({
      method: 'POST',
      path: '/m',
      body: multipartBody([{ name: 'file', file: path }]),
    });
    await agent.close();
    expect(sha256(server.requests[0]!.body)).toBe(sha256(bytes));
    const form = await parseMultipart(server.requests[1]!.headers, server.requests[1]!.body);
    expect(form.files[0]?.sha256).toBe(sha256(bytes));
  });

  it('fails a stream that yields fewer bytes than declared instead of sending a short body', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url, retry: false });
    const error = await transport
      .request({
        method: 'PUT',
        path: '/o',
        body: streamBody(() => Readable.from([Buffer.from('abc')]), { sizeBytes: 10 }),
      })
      .catch((caught: unknown) => caught);
    expect(InvalidInputError.isInstance(error) && error.code).toBe('BODY_SIZE_MISMATCH');
  });

  it('keeps an absolute (pre-signed) URL byte for byte and adds nothing it was not asked to', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: 'http://127.0.0.1:1' });
    const target = `${server.url}/bucket/a%20b(1).pdf?Expires=1716699536&OSSAccessKeyId=AK-ID&Signature=abc%2Bdef%3D`;
    await transport.request({ method: 'PUT', path: target, body: bytesBody('x', 'text/plain') });
    expect(server.requests[0]?.url).toBe(
      '/bucket/a%20b(1).pdf?Expires=1716699536&OSSAccessKeyId=AK-ID&Signature=abc%2Bdef%3D',
    );
  });

  it('keeps query key case and appends to a base path', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: `${server.url}/compatible-mode/v1/` });
    await transport.request({
      method: 'GET',
      path: 'files',
      query: { pageSize: 10, PageNumber: 1, after: undefined, q: 'a b' },
    });
    expect(server.requests[0]?.url).toBe('/compatible-mode/v1/files?pageSize=10&PageNumber=1&q=a%20b');
    expect(server.requests[0]?.headers['user-agent']).toMatch(/^x-transport\/\S+ node\/\d+/);
  });
});
