import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkOptions } from './check-options.js';
import { formatSize, formatSizeOverLimit } from './format-size.js';
import { InvalidInputError } from './invalid-input-error.js';
import { PollTimeoutError, pollUntil } from './poll-until.js';
import { runPool } from './run-pool.js';
import { resolveUploadSource } from './upload-source.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'x-transport-flow-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe('resolveUploadSource', () => {
  it('takes a path, a file: URL, a Blob, a File, bytes, a factory and a bare stream', async () => {
    const path = join(directory, 'a b.txt');
    await writeFile(path, 'hello');
    const inputs = [
      path,
      pathToFileURL(path),
      pathToFileURL(path).href,
      new Blob(['hello'], { type: 'text/plain' }),
      new File(['hello'], 'f.txt'),
      new Uint8Array(Buffer.from('hello')),
      { open: () => Readable.from([Buffer.from('hello')]), sizeBytes: 5, fileName: 'o.txt' },
      { stream: () => Readable.from([Buffer.from('hello')]), sizeBytes: 5 },
      { stream: Readable.from([Buffer.from('hello')]), sizeBytes: 5 },
    ];
    const sources = await Promise.all(inputs.map((input) => resolveUploadSource(input)));
    expect(sources.map((source) => [source.sizeBytes, source.fileName, source.isReopenable])).toEqual([
      [5, 'a b.txt', true],
      [5, 'a b.txt', true],
      [5, 'a b.txt', true],
      [5, undefined, true],
      [5, 'f.txt', true],
      [5, undefined, true],
      [5, 'o.txt', true],
      [5, undefined, true],
      [5, undefined, false],
    ]);
    expect(sources[3]!.contentType).toBe('text/plain');
    expect(sources[0]!.path).toBe(path);
    for (const source of sources) {
      expect((await collect(source.open())).toString()).toBe('hello');
      if (source.isReopenable) expect((await collect(source.open())).toString()).toBe('hello');
    }
    const bare = sources[8]!;
    expect(bare.isConsumed).toBe(true);
    expect(() => bare.open()).toThrow(expect.objectContaining({ code: 'BODY_CONSUMED' }));
  });

  it('names the path of a missing file and refuses what is not an input', async () => {
    const missing = join(directory, 'missing.png');
    await expect(resolveUploadSource(missing)).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      path: missing,
    });
    await expect(resolveUploadSource(directory)).rejects.toMatchObject({
      code: 'NOT_A_FILE',
      path: directory,
    });
    await expect(resolveUploadSource(42 as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(resolveUploadSource({ stream: Readable.from([]), sizeBytes: -1 })).rejects.toMatchObject({
      code: 'INVALID_SIZE',
    });
    await expect(resolveUploadSource(new URL('https://example.com/x'))).rejects.toMatchObject({
      code: 'INVALID_FILE_URL',
    });
  });

  it('rethrows an abort as signal.reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(resolveUploadSource('x', { signal: controller.signal })).rejects.toBe(reason);
  });

  it('makes a raw body that reopens a path and refuses to resend a bare stream', async () => {
    const path = join(directory, 'body.bin');
    await writeFile(path, Buffer.alloc(10, 7));
    const body = (await resolveUploadSource(path)).toBody('');
    expect(body.contentType).toBe('');
    expect(body.isReopenable).toBe(true);
    const opened = await body.open();
    expect(opened.sizeBytes).toBe(10);
    const once = (
      await resolveUploadSource({ stream: Readable.from([Buffer.alloc(3)]), sizeBytes: 3 })
    ).toBody();
    expect(once.isReopenable).toBe(false);
    await collect((await once.open()).stream!);
    await expect(once.open()).rejects.toMatchObject({ code: 'BODY_CONSUMED' });
  });
});

describe('runPool', () => {
  it('settles every item in input order with at most `concurrency` at once', async () => {
    let running = 0;
    let peak = 0;
    const settledOrder: number[] = [];
    const results = await runPool(
      [5, 1, 4, 2, 3, 0],
      async (delay, index) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, delay));
        running -= 1;
        if (index === 2) throw new Error('item 2');
        return delay * 10;
      },
      { concurrency: 2, onSettled: (result) => settledOrder.push(result.index) },
    );
    expect(peak).toBe(2);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', index: 0, value: 50 });
    expect(results[2]).toMatchObject({ status: 'rejected', index: 2, reason: new Error('item 2') });
    expect(settledOrder.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('starts nothing more after an abort and rejects with signal.reason once running work settled', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const started: number[] = [];
    const promise = runPool(
      [0, 1, 2, 3],
      async (_item, index) => {
        started.push(index);
        if (index === 0) controller.abort(reason);
        return index;
      },
      { concurrency: 1, signal: controller.signal },
    );
    await expect(promise).rejects.toBe(reason);
    expect(started).toEqual([0]);
  });

  it('refuses a concurrency that is not a whole number from 1', async () => {
    await expect(runPool([1], async (item) => item, { concurrency: 0 })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });
});

describe('pollUntil', () => {
  it('checks until done, backing off between checks', async () => {
    const checkedAt: number[] = [];
    const value = await pollUntil<string>(
      async ({ attempt }) => {
        checkedAt.push(attempt);
        return attempt < 4 ? { done: false, value: attempt } : { done: true, value: 'ready' };
      },
      { initialDelayMs: 1, maxDelayMs: 4, jitter: false },
    );
    expect(value).toBe('ready');
    expect(checkedAt).toEqual([1, 2, 3, 4]);
  });

  it('ends with a PollTimeoutError naming what was awaited, the figure and the last value', async () => {
    const error = await pollUntil(async () => ({ done: false, value: { status: 'PARSING' } }), {
      timeoutMs: 30,
      initialDelayMs: 5,
      maxDelayMs: 10,
      what: 'file-1 to be parsed',
    }).catch((caught: unknown) => caught);
    expect(PollTimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      phase: 'poll',
      timeoutMs: 30,
      lastValue: { status: 'PARSING' },
    });
    expect((error as Error).message).toMatch(
      /^Timed out after 30 ms waiting for file-1 to be parsed \(\d+ checks\)$/,
    );
  });

  it('rejects with signal.reason during a wait', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const promise = pollUntil(
      async ({ attempt }) => {
        if (attempt === 1) setTimeout(() => controller.abort(reason), 5);
        return { done: false };
      },
      { signal: controller.signal, initialDelayMs: 60_000 },
    );
    await expect(promise).rejects.toBe(reason);
  });
});

describe('checkOptions', () => {
  const schema = z.strictObject({ model: z.string(), concurrency: z.number().int().max(64).optional() });

  it('hands the options back as given', () => {
    const options = { model: 'm', concurrency: 2 };
    expect(checkOptions(schema, options, 'upload')).toBe(options);
  });

  it('names each wrong option', () => {
    let error: unknown;
    try {
      checkOptions(schema, { model: 'm', concurrency: 100, colour: 'red' } as never, 'upload');
    } catch (caught) {
      error = caught;
    }
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INVALID_OPTIONS', isRetryable: false });
    expect((error as Error).message).toMatch(/^upload: /);
    expect((error as Error).message).toContain('concurrency: ');
    expect((error as Error).message).toContain('unknown option "colour"');
  });
});

describe('formatSize', () => {
  it('gives exact figures in the unit the service uses', () => {
    expect(formatSize(104_857_601)).toBe('100 MB (104,857,601 bytes)');
    expect(formatSize(520)).toBe('0.000496 MB (520 bytes)');
    expect(formatSize(1_610_612_736, 'GB')).toBe('1.5 GB (1,610,612,736 bytes)');
    expect(formatSize(0)).toBe('0 MB (0 bytes)');
    expect(formatSizeOverLimit(104_857_601, 104_857_600, 'qwen-vl-plus')).toBe(
      "100 MB (104,857,601 bytes) is over qwen-vl-plus's limit of 100 MB (104,857,600 bytes)",
    );
  });
});
