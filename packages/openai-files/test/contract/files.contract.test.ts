import { readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createEmulator, type Emulator } from '@x/emulator';
import { describe, expect, it } from 'vitest';
import {
  createFilesClient,
  FileProcessingError,
  HttpStatusError,
  InvalidInputError,
  PollTimeoutError,
  RetriesExhaustedError,
  TransportError,
} from '../../src/index.js';
import { batchLine, contractContext } from './contract-context.js';

const context = await contractContext();
const files = context.client();

describe('retrieve, delete, content, download', () => {
  it('retrieves a file object and deletes it', async () => {
    const uploaded = await files.upload(await context.write('r.txt', 'retrieve me\n'), {
      purpose: 'file-extract',
    });
    const file = await files.retrieve(uploaded.id);
    expect(file).toMatchObject({
      id: uploaded.id,
      object: 'file',
      bytes: 12,
      filename: 'r.txt',
      purpose: 'file-extract',
    });
    expect(typeof file.created_at).toBe('number');
    expect(await files.delete(uploaded.id)).toEqual({ object: 'file', deleted: true, id: uploaded.id });
    const gone = await files.retrieve(uploaded.id).catch((caught: unknown) => caught);
    expect(HttpStatusError.isInstance(gone) && gone.status).toBe(404);
    expect((gone as HttpStatusError).requestId).toMatch(/\S/);
  });

  it.each([
    '../../etc/passwd',
    'file-fe-../../etc/passwd',
    'file-fe-abc?purpose=batch',
    'file-fe-abc#x',
    'file-fe-a%2Fb',
    'file-fe-a b',
    'fe-abc',
    'file-',
  ])('refuses the id %j in every call that takes one, naming it, before sending anything', async (id) => {
    const since = await context.lastCallId();
    const target = join(context.directory, 'never.txt');
    for (const call of [
      () => files.retrieve(id),
      () => files.delete(id),
      () => files.content(id),
      () => files.download(id, target),
      () => files.waitUntilProcessed(id, { intervalMs: 10 }),
    ]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(InvalidInputError.isInstance(error) && error.code).toBe('INVALID_FILE_ID');
      expect((error as Error).message).toContain(JSON.stringify(id));
    }
    expect((await context.admin.calls()).filter((call) => call.id > since)).toEqual([]);
  });

  it('takes the documented id forms: file-fe-…, file-batch-…, file-batch_output-…', async () => {
    for (const id of ['file-fe-xxx', 'file-batch-oLIon7bzfxELqJBTS5okwC4E', 'file-batch_output-a1_b2-c3']) {
      const error = await files.retrieve(id).catch((caught: unknown) => caught);
      expect(HttpStatusError.isInstance(error) && error.status).toBe(404);
    }
  });

  it('refuses an empty id before sending anything', async () => {
    const since = await context.lastCallId();
    await expect(files.retrieve('')).rejects.toMatchObject({ code: 'INVALID_FILE_ID' });
    await expect(files.delete(' ')).rejects.toMatchObject({ code: 'INVALID_FILE_ID' });
    expect((await context.admin.calls()).filter((call) => call.id > since)).toEqual([]);
  });

  it('leaves no file behind when the download fails', async () => {
    const target = join(context.directory, 'out2', 'missing.txt');
    const error = await files.download('file-fe-doesnotexist', target).catch((caught: unknown) => caught);
    expect(HttpStatusError.isInstance(error) && error.status).toBe(404);
    await expect(readdir(join(context.directory, 'out2'))).rejects.toThrow();
  });
});

describe('list and listAll', () => {
  it('filters by purpose, pages with after and limit, and bounds by creation time', async () => {
    const first = await files.upload(await context.write('l1.txt', 'one'), { purpose: 'file-extract' });
    const second = await files.upload(await context.write('l2.jsonl', `${batchLine('x')}\n`), {
      purpose: 'batch',
    });
    const third = await files.upload(await context.write('l3.txt', 'three'), { purpose: 'file-extract' });
    const page = await files.list({ limit: 2 });
    expect(page.object).toBe('list');
    expect(page.data.map((file) => file.id)).toEqual([third.id, second.id]);
    expect(page.has_more).toBe(true);
    const next = await files.list({ limit: 1, after: second.id });
    expect(next.data.map((file) => file.id)).toEqual([first.id]);
    const extract = await files.list({ purpose: 'file-extract', limit: 2 });
    expect(extract.data.map((file) => file.id)).toEqual([third.id, first.id]);
    const later = new Date((first.created_at + 3600) * 1000);
    const earlier = new Date((first.created_at - 3600) * 1000);
    expect((await files.list({ createdBefore: earlier })).data).toEqual([]);
    const window = await files.list({ createdAfter: earlier, createdBefore: later, purpose: 'batch' });
    expect(window.data.map((file) => file.id)).toContain(second.id);
    // The documented string forms are read in UTC+8: a day in the future holds nothing yet.
    const tomorrow = new Date(Date.now() + 8 * 3600_000 + 86_400_000).toISOString().slice(0, 10);
    expect((await files.list({ createdAfter: tomorrow })).data).toEqual([]);
    expect((await files.list({ createdBefore: tomorrow.replaceAll('-', '') })).data.length).toBeGreaterThan(
      2,
    );
  });

  it('refuses a limit out of 1..2000 and an undocumented date form before sending', async () => {
    const since = await context.lastCallId();
    await expect(files.list({ limit: 2001 })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(files.list({ createdAfter: '2025-11-12T10:00:00Z' })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
    expect(() => files.listAll({ purpose: 'fine-tune' as 'batch' })).toThrow(InvalidInputError);
    expect((await context.admin.calls()).filter((call) => call.id > since)).toEqual([]);
  });

  it('iterates over 4,500 files, each exactly once, then stops', { timeout: 240_000 }, async () => {
    // A separate emulator without quotas, so 4,500 uploads take seconds, not 25 minutes at 3 per second.
    const emulator = await createEmulator({
      limits: { isRateLimited: false },
      files: { processingDelayMs: 0 },
    });
    const client = createFilesClient({
      apiKey: emulator.account.apiKey,
      baseUrl: emulator.url,
      limiter: false,
    });
    try {
      const results = await client.uploadMany(
        Array.from({ length: 4500 }, (_, index) => ({
          file: new TextEncoder().encode(`file ${index}\n`),
          fileName: `f-${index}.txt`,
        })),
        { purpose: 'file-extract', concurrency: 16 },
      );
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      const ids = results.map((result) => (result.status === 'fulfilled' ? result.value.id : ''));
      emulator.clearCalls();
      const seen: string[] = [];
      for await (const file of client.listAll({ limit: 1000 })) seen.push(file.id);
      expect(seen).toHaveLength(4500);
      expect(new Set(seen).size).toBe(4500);
      expect(new Set(seen)).toEqual(new Set(ids));
      expect(emulator.calls.filter((call) => call.route === 'files.list')).toHaveLength(5);
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  it('ends with an error, not a loop, when the service repeats a cursor', async () => {
    const page = { object: 'list', has_more: true, data: [fileObject('file-fe-a'), fileObject('file-fe-b')] };
    const { url, requests, close } = await fakeService(() => ({ status: 200, body: page }));
    const client = createFilesClient({ apiKey: 'sk-test', baseUrl: url, limiter: false });
    try {
      const seen: string[] = [];
      const error = await (async () => {
        for await (const file of client.listAll()) seen.push(file.id);
      })().catch((caught: unknown) => caught);
      expect(TransportError.isInstance(error) && error.code).toBe('LIST_CURSOR_REPEATED');
      expect(seen).toEqual(['file-fe-a', 'file-fe-b', 'file-fe-a', 'file-fe-b']);
      expect(requests).toEqual(['/compatible-mode/v1/files', '/compatible-mode/v1/files?after=file-fe-b']);
    } finally {
      await client.close();
      await close();
    }
  });

  it('rethrows the abort reason from listAll and uploadMany', async () => {
    const controller = new AbortController();
    const reason = new Error('enough');
    controller.abort(reason);
    const listing = (async () => {
      for await (const _file of files.listAll({ signal: controller.signal })) break;
    })();
    await expect(listing).rejects.toBe(reason);
    await expect(
      files.uploadMany([new TextEncoder().encode('x')], {
        purpose: 'file-extract',
        signal: controller.signal,
      }),
    ).rejects.toBe(reason);
  });

  it('stops on an empty page even if it says has_more', async () => {
    const { url, close } = await fakeService(() => ({
      status: 200,
      body: { object: 'list', has_more: true, data: [] },
    }));
    const client = createFilesClient({ apiKey: 'sk-test', baseUrl: url, limiter: false });
    try {
      const seen = [];
      for await (const file of client.listAll()) seen.push(file);
      expect(seen).toEqual([]);
    } finally {
      await client.close();
      await close();
    }
  });
});

describe('waitUntilProcessed', () => {
  it('polls until processed', async () => {
    const uploaded = await files.upload(await context.write('w.txt', 'wait'), { purpose: 'file-extract' });
    const file = await files.waitUntilProcessed(uploaded.id, { intervalMs: 50 });
    expect(file).toMatchObject({ id: uploaded.id, status: 'processed' });
  });

  it('throws FileProcessingError with status_details when the service cannot parse the file', async () => {
    // Valid UTF-8 in the first bytes the client checks; a broken sequence later that only the service sees.
    const bytes = Buffer.concat([
      Buffer.from('a'.repeat(10_000)),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\n'),
    ]);
    const uploaded = await files.upload(await context.write('broken.txt', bytes), {
      purpose: 'file-extract',
    });
    const error = await files
      .waitUntilProcessed(uploaded.id, { intervalMs: 50 })
      .catch((caught: unknown) => caught);
    expect(FileProcessingError.isInstance(error)).toBe(true);
    expect((error as FileProcessingError).fileId).toBe(uploaded.id);
    expect(String((error as FileProcessingError).statusDetails)).toMatch(/UTF-8/);
  });

  it('gives up after timeoutMs with a PollTimeoutError, and rethrows an abort', async () => {
    const uploaded = await files.upload(await context.write('t.txt', 'time'), { purpose: 'file-extract' });
    const { nowMs } = await context.admin.now();
    await context.admin.setClock(nowMs - 3600_000);
    try {
      const error = await files
        .waitUntilProcessed(uploaded.id, { intervalMs: 20, timeoutMs: 200 })
        .catch((caught: unknown) => caught);
      expect(PollTimeoutError.isInstance(error)).toBe(true);
      expect((error as PollTimeoutError).code).toBe('TIMEOUT');
      const controller = new AbortController();
      const reason = new Error('stop waiting');
      setTimeout(() => controller.abort(reason), 100);
      await expect(
        files.waitUntilProcessed(uploaded.id, { signal: controller.signal, intervalMs: 20 }),
      ).rejects.toBe(reason);
    } finally {
      await context.admin.setClock(Date.now());
    }
  });
});

describe('uploadMany and the quotas', () => {
  it('keeps to 3 uploads per second and settles every file', { timeout: 60_000 }, async () => {
    const since = await context.lastCallId();
    const inputs = Array.from({ length: 7 }, (_, index) => ({
      file: new TextEncoder().encode(`many ${index}\n`),
      fileName: `many-${index}.txt`,
    }));
    const results = await files.uploadMany([...inputs, { file: new Uint8Array(0), fileName: 'empty.txt' }], {
      purpose: 'file-extract',
      concurrency: 8,
    });
    expect(results.slice(0, 7).map((result) => result.status)).toEqual(Array(7).fill('fulfilled'));
    expect(results[7]).toMatchObject({ status: 'rejected', index: 7, reason: { code: 'FILE_EMPTY' } });
    const uploads = await context.calls('files.upload', since);
    expect(uploads.map((call) => call.status)).toEqual(Array(7).fill(200));
    const starts = uploads.map((call) => call.startedAtMs).sort((a, b) => a - b);
    for (let index = 3; index < starts.length; index += 1) {
      expect(starts[index]! - starts[index - 3]!).toBeGreaterThanOrEqual(990);
    }
  });
});

describe('error envelopes and hints', () => {
  it('reads the native DashScope envelope: serviceCode, request_id and the documented hint', async () => {
    const { url, close } = await fakeService(() => ({
      status: 429,
      body: {
        code: 'Throttling.RateQuota',
        message: 'Requests rate limit exceeded',
        request_id: 'req-native-1',
      },
    }));
    const client = createFilesClient({ apiKey: 'sk-test', baseUrl: url, limiter: false, retry: false });
    try {
      const error = await client.retrieve('file-fe-1').catch((caught: unknown) => caught);
      expect(HttpStatusError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({
        status: 429,
        serviceCode: 'Throttling.RateQuota',
        requestId: 'req-native-1',
      });
      expect((error as Error).message).toContain('3 uploads and 10 retrieve/list/delete calls per second');
    } finally {
      await client.close();
      await close();
    }
  });

  it('reads the OpenAI envelope with the x-request-id header, and keeps the hint after retries', async () => {
    const { url, close } = await fakeService(() => ({
      status: 429,
      headers: { 'x-request-id': 'req-openai-1', 'retry-after-ms': '5' },
      body: { error: { message: 'Rate limit', type: 'requests', param: null, code: 'Throttling' } },
    }));
    const client = createFilesClient({ apiKey: 'sk-test', baseUrl: url, limiter: false });
    try {
      const error = await client.list().catch((caught: unknown) => caught);
      expect(RetriesExhaustedError.isInstance(error)).toBe(true);
      expect((error as RetriesExhaustedError).attempts).toBe(3);
      expect((error as RetriesExhaustedError).cause).toMatchObject({
        status: 429,
        serviceCode: 'Throttling',
        requestId: 'req-openai-1',
      });
      expect((error as Error).message).toContain('per second');
    } finally {
      await client.close();
      await close();
    }
  });

  it('hints at deleting old files when the account holds too many', async () => {
    const emulator: Emulator = await createEmulator({ files: { limits: { maxFiles: 1 } } });
    const client = createFilesClient({ apiKey: emulator.account.apiKey, baseUrl: emulator.url });
    try {
      await client.upload(new TextEncoder().encode('one'), { purpose: 'file-extract', fileName: 'one.txt' });
      const error = await client
        .upload(new TextEncoder().encode('two'), { purpose: 'file-extract', fileName: 'two.txt' })
        .catch((caught: unknown) => caught);
      expect(HttpStatusError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ status: 400, serviceCode: 'InvalidParameter' });
      expect((error as Error).message).toContain('10,000 files and 100 GB');
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});

function fileObject(id: string) {
  return {
    id,
    object: 'file',
    bytes: 1,
    created_at: 1_700_000_000,
    filename: `${id}.txt`,
    purpose: 'file-extract',
    status: 'processed',
    status_details: null,
  };
}

/** A tiny HTTP server answering every request alike, for envelopes and behaviours the emulator does not produce. */
async function fakeService(
  answer: () => { status: number; body: unknown; headers?: Record<string, string> },
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    request.resume();
    request.on('end', () => {
      const { status, body, headers = {} } = answer();
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
