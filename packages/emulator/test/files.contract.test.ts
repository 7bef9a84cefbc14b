import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import OpenAI, { APIError, toFile } from 'openai';
import type { FileCreateParams, FileListParams, FileObject } from 'openai/resources/files';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator, type EmulatorOptions } from '../src/create-emulator.js';
import type { FilesSurfaceState } from '../src/files/files-surface.js';

/** `file-extract` is the service's own purpose; the SDK's types only know OpenAI's. */
const fileExtract = 'file-extract' as unknown as FileCreateParams['purpose'];
const startMs = Date.parse('2025-03-06T04:30:00Z'); // 2025-03-06 12:30:00 in UTC+8
const batchLine = (customId: string) =>
  JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'qwen-plus', messages: [{ role: 'user', content: 'Hello' }] },
  });

const execFileAsync = promisify(execFile);

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'files-contract-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Writes a file for one test and returns its path. */
async function fixture(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(await mkdtemp(join(folder, 'upload-')), name);
  await writeFile(path, content);
  return path;
}

/** A file under its own name (the service infers the type from it), streamed as the SDK streams it. */
async function upload(client: OpenAI, name: string, content: string | Uint8Array, purpose = fileExtract) {
  const path = await fixture(name, content);
  return client.files.create({ file: createReadStream(path), purpose });
}

async function rejection(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error('Expected the call to be rejected');
}

async function startEmulator(options: EmulatorOptions = {}) {
  const emulator = await createEmulator({
    clock: { startMs, isFrozen: true },
    limits: { isRateLimited: false },
    ...options,
  });
  const client = new OpenAI({
    apiKey: emulator.account.apiKey,
    baseURL: `${emulator.url}/compatible-mode/v1`,
    maxRetries: 0,
  });
  const files = () => (emulator.state.files as FilesSurfaceState).files;
  return { emulator, client, files };
}

describe('Files API with the official openai SDK', () => {
  let emulator: Emulator;
  let client: OpenAI;
  let files: () => FilesSurfaceState['files'];

  beforeAll(async () => {
    ({ emulator, client, files } = await startEmulator({
      accounts: [
        {
          name: 'other',
          apiKey: 'sk-emulator-other',
          accessKeyId: 'EMULATOR-AK-OTHER',
          accessKeySecret: 'other-secret',
          workspaceId: 'llm-other',
          categoryId: 'cate_other',
        },
      ],
    }));
  });

  afterAll(async () => {
    await emulator.close();
  });

  it('uploads a document, keeps its name and bytes on disk, and processes it after the configured delay', async () => {
    const text = 'Model Studio keeps the file name.\n';
    const file = await upload(client, 'notes.txt', text);

    expect(file).toMatchObject({
      object: 'file',
      bytes: Buffer.byteLength(text),
      created_at: Math.floor(startMs / 1000),
      filename: 'notes.txt',
      purpose: 'file-extract',
      status: 'processing',
      status_details: null,
    });
    expect(file.id).toMatch(/^file-fe-[A-Za-z0-9]{24}$/);
    const stored = files().find((candidate) => candidate.id === file.id);
    expect(await readFile(stored!.path, 'utf8')).toBe(text);

    emulator.clock.advance(999);
    expect((await client.files.retrieve(file.id)).status).toBe('processing');
    emulator.clock.advance(1);
    const { data, response } = await client.files.retrieve(file.id).withResponse();
    expect(data).toEqual({ ...file, status: 'processed' });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('uploads a batch input file with a file-batch id', async () => {
    const content = `${batchLine('request-1')}\n${batchLine('request-2')}\n`;
    const file = await upload(client, 'requests.jsonl', content, 'batch');

    expect(file.id).toMatch(/^file-batch-/);
    expect(file).toMatchObject({
      purpose: 'batch',
      filename: 'requests.jsonl',
      bytes: Buffer.byteLength(content),
    });
  });

  it.each([
    ['CJK', '年度報告.md'],
    ['accented (NFC)', 'résumé café.md'],
    ['decomposed (NFD)', 're\u0301sume\u0301.md'],
  ])('keeps a UTF-8 file name: %s', async (_kind, name) => {
    const file = await upload(client, name, '# 摘要\n');
    expect(file.filename).toBe(name);
  });

  it.each([
    ['fake.pdf', 'not a pdf', 'File parsing failed: the content is not a PDF document (starting with %PDF-)'],
    [
      'broken.txt',
      Buffer.from([0x68, 0x69, 0xff, 0xfe]),
      'File parsing failed: the content is not valid UTF-8 (near byte 0)',
    ],
    ['picture.png', 'GIF89a', 'File parsing failed: the content is not a PNG image'],
  ])('moves %s, which cannot be parsed, to status error with the reason', async (name, content, details) => {
    const file = await upload(client, name, content);
    expect(file.status).toBe('processing');
    emulator.clock.advance(1000);
    expect(await client.files.retrieve(file.id)).toMatchObject({ status: 'error', status_details: details });
  });

  it('accepts well-formed files of the binary document types', async () => {
    const pdf = await upload(client, 'report.pdf', '%PDF-1.7\n%%EOF\n');
    const docx = await upload(client, 'letter.DOCX', Buffer.from('PK\u0003\u0004rest', 'latin1'));
    emulator.clock.advance(1000);
    expect((await client.files.retrieve(pdf.id)).status).toBe('processed');
    expect((await client.files.retrieve(docx.id)).status).toBe('processed');
  });

  it('lists newest first in pages through the after cursor until has_more is false', async () => {
    const { client: fresh, emulator: own } = await startEmulator();
    try {
      const uploaded: FileObject[] = [];
      for (let index = 0; index < 5; index += 1) {
        own.clock.advance(1000);
        uploaded.push(await upload(fresh, `page-${index}.txt`, `file ${index}`));
      }

      const first = await fresh.files.list({ limit: 2 });
      expect(first.data.map((file) => file.filename)).toEqual(['page-4.txt', 'page-3.txt']);
      expect(first.has_more).toBe(true);

      own.clearCalls();
      const seen: string[] = [];
      for await (const file of fresh.files.list({ limit: 2 })) seen.push(file.id);
      expect(seen).toEqual(uploaded.map((file) => file.id).reverse());
      expect(own.calls.filter((call) => call.route === 'files.list')).toHaveLength(3);

      const all = await fresh.files.list();
      expect(all.data).toHaveLength(5);
      expect(all.has_more).toBe(false);
    } finally {
      await own.close();
    }
  });

  it('filters by purpose and by creation time in all four documented formats (UTC+8, exclusive)', async () => {
    const { client: fresh, emulator: own } = await startEmulator();
    try {
      const early = await upload(fresh, 'early.txt', 'early'); // 2025-03-06 12:30:00 +08:00
      own.clock.set(Date.parse('2025-03-07T02:00:00Z')); // 2025-03-07 10:00:00 +08:00
      const late = await upload(fresh, 'late.jsonl', `${batchLine('a')}\n`, 'batch');
      const ids = async (query: Record<string, string>) =>
        (await fresh.files.list(query as FileListParams)).data.map((file) => file.id);

      expect(await ids({ purpose: 'batch' })).toEqual([late.id]);
      expect(await ids({ purpose: 'file-extract' })).toEqual([early.id]);
      expect(await ids({ create_after: '20250306123000' })).toEqual([late.id]);
      expect(await ids({ create_after: '20250306122959' })).toEqual([late.id, early.id]);
      expect(await ids({ create_before: '2025-03-06 12:30:01' })).toEqual([early.id]);
      expect(await ids({ create_before: '2025-03-06 12:30:00' })).toEqual([]);
      expect(await ids({ create_after: '2025-03-07' })).toEqual([late.id]);
      expect(await ids({ create_before: '20250307' })).toEqual([early.id]);
      expect(await ids({ create_after: '20250306', create_before: '20250308' })).toEqual([late.id, early.id]);
    } finally {
      await own.close();
    }
  });

  it('deletes a file: gone from retrieve, list and disk, and still usable as a cursor', async () => {
    const keep = await upload(client, 'keep.txt', 'keep');
    const doomed = await upload(client, 'doomed.txt', 'doomed');
    const path = files().find((file) => file.id === doomed.id)!.path;

    expect(await client.files.delete(doomed.id)).toEqual({ object: 'file', deleted: true, id: doomed.id });
    await expect(access(path)).rejects.toThrow();
    const error = await rejection(client.files.retrieve(doomed.id));
    expect(error.status).toBe(404);
    const listed = (await client.files.list()).data.map((file) => file.id);
    expect(listed).not.toContain(doomed.id);
    expect((await client.files.list({ after: doomed.id, limit: 1 })).data.map((file) => file.id)).toEqual([
      keep.id,
    ]);
  });

  it('keeps accounts apart', async () => {
    const file = await upload(client, 'mine.txt', 'mine');
    const other = new OpenAI({ apiKey: 'sk-emulator-other', baseURL: client.baseURL, maxRetries: 0 });

    expect((await rejection(other.files.retrieve(file.id))).status).toBe(404);
    expect((await other.files.list()).data).toEqual([]);
    expect(emulator.calls.at(-1)?.account).toBe('other');
  });

  it('answers a bad API key with 401 InvalidApiKey and a request id in header and body', async () => {
    const stranger = new OpenAI({ apiKey: 'sk-wrong', baseURL: client.baseURL, maxRetries: 0 });
    const error = await rejection(stranger.files.list());

    expect(error.status).toBe(401);
    expect(error.code).toBe('InvalidApiKey');
    expect(error.message).toBe('401 Invalid API-key provided.');
    expect(error.requestID).toMatch(/^[0-9a-f-]{36}$/);

    const response = await request(`${emulator.url}/compatible-mode/v1/files`);
    const body = (await response.body.json()) as { error: Record<string, unknown>; request_id: string };
    expect(response.statusCode).toBe(401);
    expect(body).toEqual({
      error: {
        message: 'No API-key provided.',
        type: 'invalid_request_error',
        param: null,
        code: 'InvalidApiKey',
      },
      request_id: response.headers['x-request-id'],
    });
  });

  it.each([
    ['fine-tune', 'Invalid purpose "fine-tune": use "file-extract" or "batch".'],
    ['assistants', 'Invalid purpose "assistants": use "file-extract" or "batch".'],
  ])('rejects purpose %s with 400 InvalidParameter', async (purpose, message) => {
    const error = await rejection(upload(client, 'a.txt', 'a', purpose as FileCreateParams['purpose']));
    expect({ status: error.status, code: error.code, param: error.param, message: error.message }).toEqual({
      status: 400,
      code: 'InvalidParameter',
      param: 'purpose',
      message: `400 ${message}`,
    });
  });

  it.each([
    [
      'setup.exe',
      fileExtract,
      'Unsupported file type "setup.exe" for purpose file-extract: use one of txt, md, csv, json, pdf, docx, xlsx, epub, mobi, bmp, png, jpg, jpeg, gif.',
    ],
    ['README', fileExtract, 'Unsupported file type "README" for purpose file-extract'],
    ['requests.txt', 'batch', 'A batch input file must be a .jsonl file, got "requests.txt".'],
  ] as const)('rejects %s with 400 naming the file type', async (name, purpose, message) => {
    const error = await rejection(upload(client, name, 'content', purpose));
    expect(error.status).toBe(400);
    expect(error.code).toBe('InvalidParameter');
    expect(error.param).toBe('file');
    expect(error.message).toContain(message);
  });

  it.each([
    [
      '{"custom_id":"a","method":"GET","url":"/v1/chat/completions","body":{}}',
      'line 1: "method" must be "POST"',
    ],
    [`${batchLine('a')}\nnot json`, 'line 2 is not valid JSON'],
    [`${batchLine('a')}\n${batchLine('a')}`, 'line 2: "custom_id" "a" repeats line 1'],
    [
      '{"method":"POST","url":"/v1/chat/completions","body":{}}',
      'line 1: "custom_id" must be a non-empty string',
    ],
    [
      '{"custom_id":"a","method":"POST","body":{}}',
      'line 1: "url" must be an API path such as "/v1/chat/completions"',
    ],
    [
      '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":"hi"}',
      'line 1: "body" must be a JSON object',
    ],
    ['[1,2]', 'line 1 must be a JSON object'],
    [`${batchLine('a')}\n\n${batchLine('b')}\n`, 'line 2 is empty'],
    ['\n\n', 'the file contains no requests'],
  ])('rejects a batch file with a bad line: %s', async (content, problem) => {
    const error = await rejection(upload(client, 'bad.jsonl', content, 'batch'));
    expect(error.status).toBe(400);
    expect(error.code).toBe('InvalidParameter');
    expect(error.message).toBe(
      `400 Invalid batch input file "bad.jsonl": ${problem}. Each line must be a JSON object with "custom_id", "method": "POST", "url" and "body".`,
    );
  });

  it('accepts CRLF line ends and trailing blank lines in a batch file', async () => {
    const file = await upload(
      client,
      'crlf.jsonl',
      `${batchLine('a')}\r\n${batchLine('b')}\r\n\r\n`,
      'batch',
    );
    expect(file.purpose).toBe('batch');
  });

  it('answers an unknown id with 404 on retrieve and delete', async () => {
    for (const call of [client.files.retrieve('file-fe-unknown'), client.files.delete('file-fe-unknown')]) {
      const error = await rejection(call);
      expect(error.status).toBe(404);
      expect(error.code).toBe('NotFound');
      expect(error.message).toBe('404 No such file: file-fe-unknown');
    }
  });

  it.each([
    [{ limit: '0' }, 'limit', 'Invalid limit "0": use an integer from 1 to 2000.'],
    [{ limit: '2001' }, 'limit', 'Invalid limit "2001": use an integer from 1 to 2000.'],
    [{ limit: '1.5' }, 'limit', 'Invalid limit "1.5": use an integer from 1 to 2000.'],
    [{ after: 'file-fe-nope' }, 'after', 'Invalid after "file-fe-nope": no file has this id.'],
    [
      { purpose: 'vision' },
      'purpose',
      'Invalid purpose "vision": use "file-extract", "batch" or "batch_output".',
    ],
    [{ create_before: '2025/11/12' }, 'create_before', 'Invalid create_before "2025/11/12"'],
    [{ create_after: '20251332' }, 'create_after', 'Invalid create_after "20251332"'],
    [{ create_after: '2025-02-30' }, 'create_after', 'Invalid create_after "2025-02-30"'],
    [{ create_after: '2025-11-12T10:10:10' }, 'create_after', 'Invalid create_after "2025-11-12T10:10:10"'],
  ])('rejects list query %j with 400 naming the parameter', async (query, param, message) => {
    const error = await rejection(client.files.list(query as unknown as FileListParams));
    expect(error.status).toBe(400);
    expect(error.code).toBe('InvalidParameter');
    expect(error.param).toBe(param);
    expect(error.message).toContain(`400 ${message}`);
  });

  it('accepts limit 2000 and 1', async () => {
    expect((await client.files.list({ limit: 2000 })).data.length).toBeGreaterThan(1);
    expect((await client.files.list({ limit: 1 })).data).toHaveLength(1);
  });

  it('rejects malformed uploads with 400', async () => {
    const url = `${emulator.url}/compatible-mode/v1/files`;
    const authorization = `Bearer ${emulator.account.apiKey}`;
    const post = async (contentType: string, body: string) => {
      const response = await request(url, {
        method: 'POST',
        headers: { authorization, 'content-type': contentType },
        body,
      });
      return {
        status: response.statusCode,
        body: (await response.body.json()) as { error: { message: string } },
      };
    };
    const form = (parts: string) => `${parts}--b--\r\n`;
    const purposePart = '--b\r\ncontent-disposition: form-data; name="purpose"\r\n\r\nfile-extract\r\n';
    const filePart = '--b\r\ncontent-disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello\r\n';

    expect(await post('application/json', '{}')).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining('multipart/form-data') } },
    });
    expect(await post('multipart/form-data; boundary=b', form(filePart))).toMatchObject({
      status: 400,
      body: { error: { message: 'Missing required parameter: purpose.', param: 'purpose' } },
    });
    expect(await post('multipart/form-data; boundary=b', form(purposePart))).toMatchObject({
      status: 400,
      body: { error: { message: 'Missing required parameter: file.', param: 'file' } },
    });
    expect(
      await post('multipart/form-data; boundary=b', form(purposePart + filePart + filePart)),
    ).toMatchObject({
      status: 400,
      body: { error: { message: 'Send exactly one file part, named "file".' } },
    });
    expect(await post('multipart/form-data; boundary=b', purposePart + filePart.slice(0, -8))).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining('Malformed multipart/form-data request') } },
    });
    expect(
      await post(
        'multipart/form-data; boundary=b',
        form(
          `${purposePart}--b\r\ncontent-disposition: form-data; name="file"; filename="empty.txt"\r\n\r\n\r\n`,
        ),
      ),
    ).toMatchObject({
      status: 400,
      body: { error: { message: 'The file "empty.txt" is empty.' } },
    });
    expect(files().some((file) => file.filename === 'a.txt' || file.filename === 'empty.txt')).toBe(false);
  });
});

describe('Files API limits', () => {
  it('rejects files over the size limit of their purpose, whichever field comes first', async () => {
    const { emulator, client, files } = await startEmulator({
      files: { limits: { fileExtractMaxBytes: 1024, batchMaxBytes: 4096 } },
    });
    try {
      const tooBig = await rejection(upload(client, 'big.txt', 'x'.repeat(1025)));
      expect(tooBig.status).toBe(400);
      expect(tooBig.code).toBe('InvalidParameter');
      expect(tooBig.message).toBe(
        '400 File too large: "big.txt" has 1025 bytes, the limit for purpose file-extract is 1024 bytes.',
      );
      expect((await upload(client, 'fits.txt', 'x'.repeat(1024))).bytes).toBe(1024);

      const lines = Array.from({ length: 60 }, (_, index) => batchLine(`request-${index}`)).join('\n');
      expect(Buffer.byteLength(lines)).toBeGreaterThan(4096);
      const batchTooBig = await rejection(upload(client, 'big.jsonl', lines, 'batch'));
      expect(batchTooBig.message).toContain('the limit for purpose batch is 4096 bytes');

      // The purpose field first: the emulator stops writing at the limit.
      const response = await request(`${emulator.url}/compatible-mode/v1/files`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${emulator.account.apiKey}`,
          'content-type': 'multipart/form-data; boundary=b',
        },
        body: `--b\r\ncontent-disposition: form-data; name="purpose"\r\n\r\nfile-extract\r\n--b\r\ncontent-disposition: form-data; name="file"; filename="big.txt"\r\n\r\n${'y'.repeat(5000)}\r\n--b--\r\n`,
      });
      expect(response.statusCode).toBe(400);
      expect(await response.body.json()).toMatchObject({
        error: {
          message:
            'File too large: "big.txt" has 5000 bytes, the limit for purpose file-extract is 1024 bytes.',
        },
      });
      expect(files().map((file) => file.filename)).toEqual(['fits.txt']);
    } finally {
      await emulator.close();
    }
  });

  it('rejects a batch line longer than the line limit', async () => {
    const { emulator, client } = await startEmulator({ files: { limits: { batchLineMaxBytes: 100 } } });
    try {
      const error = await rejection(upload(client, 'long.jsonl', `${batchLine('a'.repeat(200))}\n`, 'batch'));
      expect(error.message).toContain('line 1 is longer than 100 bytes');
    } finally {
      await emulator.close();
    }
  });

  it('enforces the per-account file count and storage limits', async () => {
    const { emulator, client } = await startEmulator({
      files: { limits: { maxFiles: 2, maxTotalBytes: 10 } },
    });
    try {
      const first = await upload(client, 'one.txt', '12345');
      const storage = await rejection(upload(client, 'two.txt', '123456'));
      expect(storage.status).toBe(400);
      expect(storage.message).toBe(
        '400 Storage limit reached: the account holds 5 bytes and this file of 6 bytes would exceed 10 bytes. Delete files you no longer need.',
      );
      await upload(client, 'two.txt', '12345');
      const count = await rejection(upload(client, 'three.txt', '1'));
      expect(count.status).toBe(400);
      expect(count.code).toBe('InvalidParameter');
      expect(count.message).toBe(
        '400 File count limit reached: the account already holds 2 files. Delete files you no longer need.',
      );
      await client.files.delete(first.id);
      const racing = await Promise.allSettled([
        upload(client, 'three.txt', '1'),
        upload(client, 'four.txt', '1'),
      ]);
      expect(racing.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((await client.files.list()).data).toHaveLength(2);
    } finally {
      await emulator.close();
    }
  });

  it('throttles uploads at 3 per second and other calls at 10 per second with 429 Throttling.RateQuota', async () => {
    const { emulator, client } = await startEmulator({ limits: { isRateLimited: true } });
    try {
      const uploaded = [];
      for (let index = 0; index < 3; index += 1) uploaded.push(await upload(client, `q${index}.txt`, 'q'));
      const throttled = await rejection(upload(client, 'q3.txt', 'q'));
      expect(throttled.status).toBe(429);
      expect(throttled.code).toBe('Throttling.RateQuota');
      expect(throttled.message).toBe('429 Requests rate limit exceeded, please try again later.');
      expect(throttled.requestID).toBeTruthy();

      for (let index = 0; index < 10; index += 1) await client.files.retrieve(uploaded[index % 3]!.id);
      expect((await rejection(client.files.list())).status).toBe(429);
      expect((await rejection(client.files.delete(uploaded[0]!.id))).status).toBe(429);

      emulator.clock.advance(1000);
      expect((await upload(client, 'q4.txt', 'q')).filename).toBe('q4.txt');
      expect((await client.files.list()).data).toHaveLength(4);
    } finally {
      await emulator.close();
    }
  });

  it('refuses chunked uploads with 411 when Content-Length is required, and accepts sized ones', async () => {
    const { emulator, client } = await startEmulator({ requireContentLength: true });
    try {
      const chunked = await rejection(upload(client, 'chunked.txt', 'streamed'));
      expect(chunked.status).toBe(411);
      expect(chunked.code).toBe('MissingContentLength');
      expect(chunked.message).toBe(
        '411 A Content-Length header is required: chunked request bodies are refused.',
      );

      const sized = await client.files.create({
        file: await toFile(Buffer.from('sized'), 'sized.txt'),
        purpose: fileExtract,
      });
      expect(sized).toMatchObject({ filename: 'sized.txt', bytes: 5 });
    } finally {
      await emulator.close();
    }
  });
});

describe('Files API streaming', () => {
  /**
   * Uploads a file from a child process (so only the emulator's memory is in this one) with node:http: a multipart
   * body around the file, streamed with its exact Content-Length.
   */
  const uploadScript = `
    import { request } from 'node:http';
    import { createReadStream, statSync } from 'node:fs';
    const [url, apiKey, path, filename] = process.argv.slice(1);
    const head = Buffer.from('--b\\r\\ncontent-disposition: form-data; name="purpose"\\r\\n\\r\\nfile-extract\\r\\n'
      + '--b\\r\\ncontent-disposition: form-data; name="file"; filename="' + filename + '"\\r\\n\\r\\n');
    const tail = Buffer.from('\\r\\n--b--\\r\\n');
    const outgoing = request(url, { method: 'POST', headers: {
      authorization: 'Bearer ' + apiKey,
      'content-type': 'multipart/form-data; boundary=b',
      'content-length': head.length + statSync(path).size + tail.length,
    } }, async (response) => {
      let text = '';
      for await (const chunk of response) text += chunk;
      process.stdout.write(JSON.stringify({ status: response.statusCode, body: JSON.parse(text) }));
    });
    outgoing.write(head);
    createReadStream(path).on('end', () => outgoing.end(tail)).pipe(outgoing, { end: false });
  `;

  it('streams a 256 MiB upload to disk with less than 64 MiB of RSS growth', async () => {
    const sizeBytes = 256 * 1024 * 1024;
    const { emulator, files } = await startEmulator({
      files: { limits: { fileExtractMaxBytes: sizeBytes } },
    });
    const path = join(folder, 'large.txt');
    const line = Buffer.alloc(1 << 20, 'abcdefghijklmnopqrstuvwxyz0123456789\n');
    await pipeline(
      Readable.from(
        (function* () {
          for (let index = 0; index < sizeBytes / line.length; index += 1) yield line;
        })(),
      ),
      createWriteStream(path),
    );
    try {
      const baselineBytes = process.memoryUsage.rss();
      let peakBytes = baselineBytes;
      const sampler = setInterval(() => {
        peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
      }, 5);
      const { stdout } = await execFileAsync(process.execPath, [
        '--input-type=module',
        '-e',
        uploadScript,
        `${emulator.url}/compatible-mode/v1/files`,
        emulator.account.apiKey,
        path,
        'large.txt',
      ]);
      clearInterval(sampler);
      peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
      const result = JSON.parse(stdout) as { status: number; body: FileObject };

      expect(result.status).toBe(200);
      expect(result.body).toMatchObject({ filename: 'large.txt', bytes: sizeBytes });
      expect((await stat(files()[0]!.path)).size).toBe(sizeBytes);
      expect(peakBytes - baselineBytes).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await rm(path, { force: true });
      await emulator.close();
    }
  });

  it('removes the partial file when the client goes away mid-upload', async () => {
    const { emulator, files } = await startEmulator();
    try {
      const aborter = new AbortController();
      const directory = join(emulator.dataDir, 'files');
      const entries = () => readdir(directory).catch(() => [] as string[]);
      async function* body() {
        yield Buffer.from(
          '--b\r\ncontent-disposition: form-data; name="purpose"\r\n\r\nfile-extract\r\n' +
            '--b\r\ncontent-disposition: form-data; name="file"; filename="cut.txt"\r\n\r\n',
        );
        yield Buffer.alloc(64 * 1024, 'a');
        // Go away only once the emulator holds a partial file (an event, not a guess at how long it takes).
        await expect.poll(async () => (await entries()).length, { timeout: 30_000, interval: 10 }).toBe(1);
        aborter.abort(new Error('client gone'));
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      await expect(
        request(`${emulator.url}/compatible-mode/v1/files`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${emulator.account.apiKey}`,
            'content-type': 'multipart/form-data; boundary=b',
          },
          body: Readable.from(body()),
          signal: aborter.signal,
        }),
      ).rejects.toThrow('client gone');

      // The emulator notices the close on its own time: wait for it (bounded by events; the timeout is only a cap).
      await expect
        .poll(() => emulator.calls.at(-1), { timeout: 30_000, interval: 10 })
        .toMatchObject({ route: 'files.upload', status: 0 });
      await expect.poll(async () => (await entries()).length, { timeout: 30_000, interval: 10 }).toBe(0);
      expect(files()).toEqual([]);
    } finally {
      await emulator.close();
    }
  });
});
