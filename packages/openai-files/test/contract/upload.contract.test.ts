import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BatchInputError, HttpStatusError, InvalidInputError, type UploadProgress } from '../../src/index.js';
import { batchLine, contractContext } from './contract-context.js';

const context = await contractContext();
const files = context.client();
const pngBytes = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 7),
]);

async function storedFile(id: string) {
  const calls = await files.retrieve(id);
  return calls;
}

describe('upload: every accepted input', () => {
  it('uploads a path and keeps its real file name (file-extract)', async () => {
    const path = await context.write('notes.txt', 'hello from the Files API\n');
    const file = await files.upload(path, { purpose: 'file-extract' });
    expect(file).toMatchObject({ object: 'file', bytes: 25, filename: 'notes.txt', purpose: 'file-extract' });
    expect(file.id).toMatch(/^file-fe-/);
    expect(await storedFile(file.id)).toMatchObject({ id: file.id, bytes: 25, filename: 'notes.txt' });
  });

  it('uploads a file: URL, a File, bytes with a name and a stream factory', async () => {
    const path = await context.write('table.csv', 'a,b\n1,2\n');
    const fromUrl = await files.upload(pathToFileURL(path), { purpose: 'file-extract' });
    expect(fromUrl.filename).toBe('table.csv');
    const fromFile = await files.upload(new File([pngBytes], 'pixel.png', { type: 'image/png' }), {
      purpose: 'file-extract',
    });
    expect(fromFile).toMatchObject({ filename: 'pixel.png', bytes: pngBytes.byteLength });
    const fromBytes = await files.upload(new TextEncoder().encode('{"a":1}'), {
      purpose: 'file-extract',
      fileName: 'data.json',
    });
    expect(fromBytes).toMatchObject({ filename: 'data.json', bytes: 7 });
    const fromFactory = await files.upload(
      { open: () => createReadStream(path), sizeBytes: 8 },
      { purpose: 'file-extract', fileName: 'again.csv' },
    );
    expect(fromFactory).toMatchObject({ filename: 'again.csv', bytes: 8 });
  });

  it('checks the first bytes of a bare stream and still sends every byte', async () => {
    const path = await context.write('stream.md', `# Title\n${'text '.repeat(5000)}\n`);
    const sizeBytes = (await readFile(path)).byteLength;
    const file = await files.upload(
      { stream: createReadStream(path, { highWaterMark: 1000 }), sizeBytes },
      { purpose: 'file-extract', fileName: 'stream.md' },
    );
    expect(file.bytes).toBe(sizeBytes);
    const [stored] = await context.storedFiles('stream.md');
    expect((await readFile(stored!.path)).equals(await readFile(path))).toBe(true);
  });

  it('uploads a valid batch file and reports progress in the file bytes', async () => {
    const text = `${Array.from({ length: 50 }, (_, index) => batchLine(`request-${index}`)).join('\n')}\n`;
    const path = await context.write('requests.jsonl', text);
    const progress: UploadProgress[] = [];
    const file = await files.upload(path, { purpose: 'batch', onProgress: (event) => progress.push(event) });
    expect(file).toMatchObject({
      purpose: 'batch',
      filename: 'requests.jsonl',
      bytes: Buffer.byteLength(text),
    });
    expect(file.id).toMatch(/^file-batch-/);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual({
      loadedBytes: Buffer.byteLength(text),
      totalBytes: Buffer.byteLength(text),
    });
    expect(progress.every((event) => event.totalBytes === Buffer.byteLength(text))).toBe(true);
  });
});

describe('upload: checks before any byte is sent', () => {
  async function refusedBeforeSending(
    call: () => Promise<unknown>,
    code: string,
  ): Promise<InvalidInputError> {
    const since = await context.lastCallId();
    const error = await call().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as InvalidInputError).code).toBe(code);
    expect(await context.calls('files.upload', since)).toEqual([]);
    return error as InvalidInputError;
  }

  it('refuses an unknown purpose and unknown options', async () => {
    const path = await context.write('x.txt', 'x');
    const error = await refusedBeforeSending(
      () => files.upload(path, { purpose: 'fine-tune' as 'batch' }),
      'INVALID_OPTIONS',
    );
    expect(error.message).toContain('purpose');
    await refusedBeforeSending(
      () => files.upload(path, { purpose: 'batch', model: 'x' } as never),
      'INVALID_OPTIONS',
    );
  });

  it('refuses a file over the size limit of its purpose, naming both sizes', async () => {
    const small = context.client({ limits: { fileExtractMaxBytes: 10 } });
    const path = await context.write('big.txt', 'more than ten bytes');
    const error = await refusedBeforeSending(
      () => small.upload(path, { purpose: 'file-extract' }),
      'FILE_TOO_LARGE',
    );
    expect(error.message).toContain('19 bytes');
    expect(error.message).toContain('10 bytes');
  });

  it('refuses an undocumented type, a type that lies about its content, an empty file and a nameless one', async () => {
    await refusedBeforeSending(
      async () => files.upload(await context.write('slides.pptx', 'PK'), { purpose: 'file-extract' }),
      'UNSUPPORTED_FILE_TYPE',
    );
    const mismatch = await refusedBeforeSending(
      async () => files.upload(await context.write('report.pdf', pngBytes), { purpose: 'file-extract' }),
      'FILE_TYPE_MISMATCH',
    );
    expect(mismatch.message).toContain('report.pdf');
    await refusedBeforeSending(
      async () => files.upload(await context.write('empty.txt', ''), { purpose: 'file-extract' }),
      'FILE_EMPTY',
    );
    await refusedBeforeSending(
      () => files.upload(pngBytes, { purpose: 'file-extract' }),
      'FILE_NAME_REQUIRED',
    );
    await refusedBeforeSending(
      async () => files.upload(await context.write('requests.json', batchLine('a')), { purpose: 'batch' }),
      'UNSUPPORTED_FILE_TYPE',
    );
  });

  it('refuses a 100,000-line batch file with one bad line near the end, naming the line', async () => {
    const lines = Array.from({ length: 100_000 }, (_, index) => batchLine(`request-${index}`));
    lines[99_990] = JSON.stringify({
      custom_id: 'request-99990',
      method: 'POST',
      url: '/v1/chat/completions',
    });
    const path = await context.write('large.jsonl', `${lines.join('\n')}\n`);
    const error = await refusedBeforeSending(
      () => files.upload(path, { purpose: 'batch' }),
      'INVALID_BATCH_INPUT',
    );
    expect(BatchInputError.isInstance(error)).toBe(true);
    expect((error as BatchInputError).lineNumber).toBe(99_991);
    expect(error.message).toBe(
      'large.jsonl is not valid Batch input: line 99991: "body" must be a JSON object',
    );
  });

  it('refuses a repeated custom_id, and a bare stream it cannot read twice', async () => {
    const path = await context.write(
      'twice.jsonl',
      [batchLine('a'), batchLine('b'), batchLine('a')].join('\n'),
    );
    const error = await refusedBeforeSending(
      () => files.upload(path, { purpose: 'batch' }),
      'INVALID_BATCH_INPUT',
    );
    expect((error as BatchInputError).reason).toBe('"custom_id" "a" repeats line 1');
    await refusedBeforeSending(
      () =>
        files.upload(
          { stream: createReadStream(path), sizeBytes: 10 },
          { purpose: 'batch', fileName: 'b.jsonl' },
        ),
      'STREAM_NOT_REOPENABLE',
    );
  });
});

describe('upload: retries by reopening the source', () => {
  async function uploadsWithOneCopy(name: string, fault: Parameters<typeof context.admin.addFault>[0]) {
    const text = `${Array.from({ length: 2000 }, (_, index) => batchLine(`${name}-${index}`)).join('\n')}\n`;
    const path = await context.write(name, text);
    const since = await context.lastCallId();
    await context.admin.addFault(fault);
    const file = await files.upload(path, { purpose: 'batch' });
    const uploads = await context.calls('files.upload', since);
    expect(uploads.map((call) => call.status)).toEqual([
      fault.fault.type === 'status' ? fault.fault.status : 0,
      200,
    ]);
    const copies = [];
    for await (const stored of files.listAll({ purpose: 'batch' }))
      if (stored.filename === name) copies.push(stored);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ id: file.id, bytes: Buffer.byteLength(text) });
    // One copy on the emulator's disk, every byte of it.
    const stored = await context.storedFiles(name);
    expect(stored.map((copy) => copy.id)).toEqual([file.id]);
    expect(await readFile(stored[0]!.path, 'utf8')).toBe(text);
  }

  it('waits out a 429 and sends the file again: one complete copy', async () => {
    await uploadsWithOneCopy('throttled.jsonl', {
      route: 'files.upload',
      fault: { type: 'status', status: 429, code: 'Throttling.RateQuota', retryAfterSeconds: 1 },
    });
  });

  it('sends the file again after the connection is reset in the middle of the body: one complete copy', async () => {
    await uploadsWithOneCopy('reset.jsonl', {
      route: 'files.upload',
      fault: { type: 'reset', phase: 'request' },
    });
  });

  for (const at of ['body', 'head'] as const) {
    it(`looks the file up when its answer is lost (${at}) and does not send it again: one copy`, async () => {
      const name = `answer-lost-${at}.jsonl`;
      const text = `${Array.from({ length: 200 }, (_, index) => batchLine(`${name}-${index}`)).join('\n')}\n`;
      const path = await context.write(name, text);
      const since = await context.lastCallId();
      await context.admin.addFault({ route: 'files.upload', fault: { type: 'answerLost', at } });
      const file = await files.upload(path, { purpose: 'batch' });
      const uploads = await context.calls('files.upload', since);
      expect(uploads.map((call) => [call.status, call.fault])).toEqual([[200, 'answerLost']]);
      expect((await context.calls('files.list', since)).length).toBeGreaterThan(0);
      const copies = [];
      for await (const stored of files.listAll({ purpose: 'batch' }))
        if (stored.filename === name) copies.push(stored);
      expect(copies.map((copy) => copy.id)).toEqual([file.id]);
      expect(file.bytes).toBe(Buffer.byteLength(text));
    });
  }

  it('retries a 503 and never resends a bare stream', async () => {
    await uploadsWithOneCopy('unavailable.jsonl', {
      route: 'files.upload',
      fault: { type: 'status', status: 503 },
    });
    const path = await context.write('once.txt', 'only once\n');
    await context.admin.addFault({ route: 'files.upload', fault: { type: 'status', status: 503 } });
    const since = await context.lastCallId();
    const error = await files
      .upload(
        { stream: createReadStream(path), sizeBytes: 10 },
        { purpose: 'file-extract', fileName: 'once.txt' },
      )
      .catch((caught: unknown) => caught);
    expect(HttpStatusError.isInstance(error) && error.status).toBe(503);
    expect(await context.calls('files.upload', since)).toHaveLength(1);
  });
});

describe('upload: errors and aborts', () => {
  it('maps a refused key to HttpStatusError with serviceCode, requestId and a hint, never the key', async () => {
    const wrong = context.client({ apiKey: 'sk-wrong-key-0123456789' });
    const error = await wrong
      .upload(await context.write('k.txt', 'k'), { purpose: 'file-extract' })
      .catch((caught: unknown) => caught);
    expect(HttpStatusError.isInstance(error)).toBe(true);
    const status = error as HttpStatusError;
    expect(status).toMatchObject({ status: 401, serviceCode: 'InvalidApiKey', code: 'HTTP_STATUS' });
    expect(status.requestId).toMatch(/\S/);
    expect(status.message).toContain('API keys are per region');
    expect(JSON.stringify(status.toJSON())).not.toContain('sk-wrong-key-0123456789');
    expect(status.message).not.toContain('sk-wrong-key-0123456789');
  });

  it('rejects with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    await context.admin.addFault({ route: 'files.upload', fault: { type: 'delay', delayMs: 2000 } });
    const pending = files.upload(await context.write('slow.txt', 'slow'), {
      purpose: 'file-extract',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(reason), 100);
    await expect(pending).rejects.toBe(reason);
    await context.admin.clearFaults();
  });
});
