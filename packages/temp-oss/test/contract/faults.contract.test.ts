import { Readable } from 'node:stream';
import { bearer, createTransport, InvalidInputError } from '@x/transport';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempStorage, withOssResolve } from '../../src/index.js';
import { contractContext, nativeModelCall } from './contract-context.js';

const context = await contractContext();
const transport = createTransport({
  baseUrl: context.url,
  auth: bearer(context.apiKey),
  retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 40 },
});
const storage = createTempStorage({ transport });
afterAll(async () => {
  await storage.close();
  await transport.close();
});
beforeEach(() => context.admin.clearCalls());
afterEach(() => context.admin.clearFaults());

async function modelSees(model: string, url: string): Promise<string> {
  const { body } = await nativeModelCall(
    context.url,
    context.apiKey,
    model,
    [{ image: url }],
    withOssResolve(fetch),
  );
  return JSON.stringify(body);
}

describe('PostObject under faults', () => {
  it('stores every one of 60 files with about 20% of attempts faulted (503, 429, resets before and after the body)', async () => {
    const model = context.uniqueModel();
    for (const fault of [
      { type: 'status', status: 503 },
      { type: 'status', status: 429, retryAfterSeconds: 0 },
      { type: 'reset', phase: 'request' },
      { type: 'reset', phase: 'response' },
    ] as const) {
      await context.admin.addFault({ route: 'oss.postObject', fault, times: 'always', probability: 0.05 });
    }
    const files = Array.from({ length: 60 }, (_, index) => ({
      file: Buffer.from(`file number ${index} `.repeat(20)),
      fileName: `f${index}.txt`,
    }));
    const results = await storage.uploadMany(files, { model, concurrency: 4 });
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const { postObject } = await context.callsFor(model);
    const faulted = postObject.filter((call) => call.fault !== undefined);
    expect(faulted.length).toBeGreaterThan(0);
    // Every file is stored once, whole.
    for (const [index, result] of results.entries()) {
      if (result.status !== 'fulfilled') continue;
      expect(await modelSees(model, result.value.url)).toContain(
        `(${files[index]!.file.byteLength} bytes, text/plain)`,
      );
    }
  }, 120_000);

  it('resends after a reset in the middle of the answer, from a reopened source, and the file is stored once', async () => {
    const model = context.uniqueModel();
    await context.admin.addFault({ route: 'oss.postObject', fault: { type: 'reset', phase: 'response' } });
    const result = await storage.upload(Buffer.from('landed once'), { model, fileName: 'landed.txt' });
    const { postObject } = await context.callsFor(model);
    expect(postObject).toHaveLength(2);
    expect(postObject[0]!.fault).toBe('reset');
    expect([200, 409]).toContain(postObject[1]!.status);
    expect(await modelSees(model, result.url)).toContain('(11 bytes, text/plain)');
  });

  it('still takes the next name on a 409 with no ambiguous attempt before it', async () => {
    const model = context.uniqueModel();
    await context.admin.addFault({
      route: 'oss.postObject',
      fault: { type: 'status', status: 409, code: 'FileAlreadyExists' },
    });
    const result = await storage.upload(Buffer.from('renamed'), { model, fileName: 'taken.txt' });
    expect(result.key).not.toMatch(/\/taken\.txt$/);
  });
});

describe('faults that are the caller input', () => {
  it('a stream that fails partway is BODY_SOURCE_FAILED with its cause, sent once', async () => {
    const model = context.uniqueModel();
    const error = await storage
      .upload(
        {
          open: () =>
            Readable.from(
              (async function* () {
                yield Buffer.alloc(100, 1);
                throw new Error('disk went away');
              })(),
            ),
          sizeBytes: 1000,
        },
        { model, fileName: 'broken.bin' },
      )
      .catch((caught: unknown) => caught);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'BODY_SOURCE_FAILED', isRetryable: false, attempts: 1 });
    expect(((error as Error).cause as Error).message).toBe('disk went away');
    expect((await context.callsFor(model)).postObject.length).toBeLessThanOrEqual(1);
  });

  it('a content type with CR/LF is refused before a byte is sent', async () => {
    const model = context.uniqueModel();
    const error = await storage
      .upload(Buffer.from('x'), {
        model,
        fileName: 'x.png',
        contentType: 'image/png\r\nx-oss-object-acl: public-read',
      })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    expect((await context.callsFor(model)).postObject).toHaveLength(0);
  });
});
