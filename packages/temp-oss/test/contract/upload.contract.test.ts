import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { HttpStatusError, InvalidInputError } from '@x/transport';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTempStorage, fileLifetimeMs, withOssResolve } from '../../src/index.js';
import { contractContext, nativeModelCall } from './contract-context.js';
import { smallModel } from './models.js';

const context = await contractContext();
const storage = createTempStorage({ apiKey: context.apiKey, baseUrl: context.url });
afterAll(() => storage.close());
beforeEach(() => context.admin.clearCalls());

const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** What the emulated model says it received for `url`: `"<url> (<size> bytes, <type>)"`. */
async function modelSees(model: string, url: string): Promise<string> {
  const { status, body } = await nativeModelCall(
    context.url,
    context.apiKey,
    model,
    [{ image: url }],
    withOssResolve(fetch),
  );
  expect(status).toBe(200);
  return JSON.stringify(body);
}

describe('upload', () => {
  it('uploads a path and returns an oss:// URL under the policy folder that the model can read for 48 hours', async () => {
    const model = context.uniqueModel();
    const path = join(context.directory, 'cat.png');
    await writeFile(path, png);
    const before = Date.now();
    const result = await storage.upload(path, { model });
    expect(result).toMatchObject({ model, sizeBytes: png.byteLength, url: `oss://${result.key}` });
    expect(result.key).toMatch(/^dashscope-instant\/[0-9a-f]+\/\d{4}-\d{2}-\d{2}\/[^/]+\/cat\.png$/);
    expect(result.expiresAt.getTime()).toBeGreaterThanOrEqual(before + fileLifetimeMs);
    expect(result.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + fileLifetimeMs);
    expect(await modelSees(model, result.url)).toContain(
      `${result.url} (${png.byteLength} bytes, image/png)`,
    );
  });

  it('sends the form with an exact Content-Length (the emulator refuses chunked bodies) and reports progress', async () => {
    const model = context.uniqueModel();
    const progress: { loadedBytes: number; totalBytes: number | undefined }[] = [];
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 7, 1);
    await storage.upload(bytes, { model, fileName: 'data.bin', onProgress: (event) => progress.push(event) });
    const { postObject } = await context.callsFor(model);
    expect(postObject).toHaveLength(1);
    expect(postObject[0]?.status).toBe(200);
    const formBytes = postObject[0]!.requestBytes;
    expect(formBytes).toBeGreaterThan(bytes.byteLength);
    expect(formBytes - bytes.byteLength).toBeLessThan(4096);
    // Progress is in the file's own bytes, not the form's.
    expect(progress.at(-1)).toEqual({ loadedBytes: bytes.byteLength, totalBytes: bytes.byteLength });
    expect(progress.every((event) => event.totalBytes === bytes.byteLength)).toBe(true);
    expect(
      progress.every((event, index) => index === 0 || event.loadedBytes >= progress[index - 1]!.loadedBytes),
    ).toBe(true);
  });

  it('takes a Blob, a File, bytes, a stream factory, a bare stream and a file: URL', async () => {
    const model = context.uniqueModel();
    const path = join(context.directory, 'a b+c#d?.png');
    await writeFile(path, png);
    const results = await Promise.all([
      storage.upload(new Blob([png], { type: 'image/png' }), { model, fileName: 'blob.png' }),
      storage.upload(new File([png], 'file.png'), { model }),
      storage.upload(new Uint8Array(png), { model, fileName: 'bytes.png' }),
      storage.upload(
        { stream: () => Readable.from([png]), sizeBytes: png.byteLength },
        { model, fileName: 'f.png' },
      ),
      storage.upload(
        { stream: Readable.from([png]), sizeBytes: png.byteLength },
        { model, fileName: 'once.png' },
      ),
      storage.upload(pathToFileURL(path).href, { model }),
      storage.upload(pathToFileURL(path), { model }),
    ]);
    const names = results.map((result) => result.key.split('/').pop());
    expect(names.slice(0, 5)).toEqual(['blob.png', 'file.png', 'bytes.png', 'f.png', 'once.png']);
    // The same file twice, concurrently: one keeps the name, the other is numbered.
    expect(names.slice(5).sort()).toEqual(['a_b_c_d_-1.png', 'a_b_c_d_.png']);
    for (const result of results) {
      expect(await modelSees(model, result.url)).toContain(`(${png.byteLength} bytes, image/png)`);
    }
  });

  it('gives two files with the same name distinct keys under one policy, so forbid-overwrite never refuses', async () => {
    const model = context.uniqueModel();
    const [first, second] = await Promise.all([
      storage.upload(png, { model, fileName: 'cat.png' }),
      storage.upload(png, { model, fileName: 'cat.png' }),
    ]);
    expect(dirname(first!.key)).toBe(dirname(second!.key));
    expect([first!.key, second!.key].map((key) => key.split('/').pop()).sort()).toEqual([
      'cat-1.png',
      'cat.png',
    ]);
    const { postObject, getPolicy } = await context.callsFor(model);
    expect(postObject.map((call) => call.status)).toEqual([200, 200]);
    expect(getPolicy).toHaveLength(1);
  });

  it('makes names safe: no path separators, control characters or URL delimiters, bounded length', async () => {
    const model = context.uniqueModel();
    const { key } = await storage.upload(png, {
      model,
      fileName: `../../etc/pa\u0000ss wd?#${'x'.repeat(300)}.png`,
    });
    const name = key.split('/').pop()!;
    expect(name).toMatch(/^etc_pa_ss_wd_x+\.png$/);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    expect(key.split('/')).toHaveLength(5);
  });

  it('refuses a file over the model limit before a byte is sent', async () => {
    const model = context.uniqueModel(smallModel);
    const path = join(context.directory, 'big.bin');
    await writeFile(path, Buffer.alloc(1024 * 1024 + 1));
    const error = await storage.upload(path, { model }).catch((caught: unknown) => caught);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'FILE_TOO_LARGE' });
    expect((error as Error).message).toBe(
      `${path}: 1 MB (1,048,577 bytes) is over ${model}'s limit of 1 MB (1,048,576 bytes) in temporary storage`,
    );
    expect(error).toMatchObject({ path });
    const { postObject, getPolicy } = await context.callsFor(model);
    expect(getPolicy).toHaveLength(1);
    expect(postObject).toHaveLength(0);
    // Exactly at the limit is fine.
    await expect(
      storage.upload(Buffer.alloc(1024 * 1024), { model, fileName: 'max.bin' }),
    ).resolves.toMatchObject({
      sizeBytes: 1024 * 1024,
    });
  });

  it('fails with a typed error naming no secret when the API key is wrong', async () => {
    const wrong = createTempStorage({ apiKey: 'sk-wrong-key-0123456789', baseUrl: context.url });
    try {
      const error = await wrong
        .upload(png, { model: context.uniqueModel() })
        .catch((caught: unknown) => caught);
      expect(HttpStatusError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ status: 401, serviceCode: 'InvalidApiKey', operation: 'GetPolicy' });
      expect(JSON.stringify((error as HttpStatusError).toJSON())).not.toContain('sk-wrong-key-0123456789');
      expect((error as Error).message).not.toContain('sk-wrong-key-0123456789');
    } finally {
      await wrong.close();
    }
  });

  it('rejects with signal.reason, unwrapped, when aborted before or during the upload', async () => {
    const model = context.uniqueModel();
    const reason = new Error('user cancelled');
    await expect(storage.upload(png, { model, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);

    const controller = new AbortController();
    const sizeBytes = 8 * 1024 * 1024;
    async function* slow() {
      yield Buffer.alloc(1024 * 1024);
      controller.abort(reason);
      await sleep(60_000, undefined, { signal: controller.signal }).catch(() => undefined);
    }
    await expect(
      storage.upload({ stream: slow, sizeBytes }, { model, fileName: 'slow.bin', signal: controller.signal }),
    ).rejects.toBe(reason);
  });

  it('refuses unknown options, a missing model and inputs it cannot read, before any request', async () => {
    const model = context.uniqueModel();
    await expect(storage.upload(png, { model: '' })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(
      storage.upload(png, { model, fileNmae: 'typo.png' } as unknown as { model: string }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: expect.stringContaining('fileNmae') });
    await expect(storage.upload(join(context.directory, 'missing.png'), { model })).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    await expect(storage.upload(context.directory, { model })).rejects.toMatchObject({ code: 'NOT_A_FILE' });
    await expect(storage.upload(42 as unknown as Blob, { model })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(() => createTempStorage({ apiKey: 'k', regoin: 'cn-beijing' } as unknown as object)).toThrow(
      /regoin/,
    );
    const { getPolicy } = await context.callsFor(model);
    expect(getPolicy).toHaveLength(0);
  });

  it('refuses calls after close', async () => {
    const closing = createTempStorage({ apiKey: context.apiKey, baseUrl: context.url });
    await closing.close();
    await expect(closing.upload(png, { model: 'qwen-vl-plus' })).rejects.toMatchObject({
      code: 'CLIENT_CLOSED',
    });
  });
});

function dirname(key: string): string {
  return key.slice(0, key.lastIndexOf('/'));
}
