import { Readable } from 'node:stream';
import { createModelStudioLimiter } from '@x/ratelimit';
import { HttpStatusError, InvalidInputError, type Limiter } from '@x/transport';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTempStorage } from '../../src/index.js';
import { contractContext } from './contract-context.js';

const context = await contractContext();
beforeEach(async () => {
  await context.admin.clearFaults();
  await context.admin.clearCalls();
});
afterAll(async () => {
  await context.admin.clearFaults();
  await context.admin.setClock(Date.now());
});

/** A real limiter that also records the penalties the transport hands it. */
function recordingLimiter() {
  const limiter = createModelStudioLimiter();
  const penalties: { key: string; retryAfterMs: number }[] = [];
  const acquired: string[] = [];
  const recording: Limiter = {
    acquire(key, options) {
      acquired.push(key);
      return limiter.acquire(key, options);
    },
    penalize(key, retryAfterMs) {
      penalties.push({ key, retryAfterMs });
      limiter.penalize(key, retryAfterMs);
    },
  };
  return { limiter: recording, penalties, acquired, close: () => limiter.close() };
}

describe('policy reuse', () => {
  it('uploads 200 files through a shared limiter with a handful of getPolicy calls and no 429', async () => {
    const model = context.uniqueModel();
    const shared = recordingLimiter();
    const storages = [0, 1].map(() =>
      createTempStorage({ apiKey: context.apiKey, baseUrl: context.url, limiter: shared.limiter }),
    );
    try {
      const batches = await Promise.all(
        storages.map((storage, batch) =>
          storage.uploadMany(
            Array.from({ length: 100 }, (_, index) => ({
              file: Buffer.from(`file ${batch}/${index}`),
              fileName: 'photo.png',
            })),
            { model, concurrency: 16 },
          ),
        ),
      );
      const results = batches.flat();
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(200);
      const keys = results.map((result) => (result.status === 'fulfilled' ? result.value.key : ''));
      expect(new Set(keys).size).toBe(200);
      const { getPolicy, postObject, all } = await context.callsFor(model);
      expect(getPolicy.length).toBeGreaterThanOrEqual(1);
      expect(getPolicy.length).toBeLessThanOrEqual(2);
      expect(postObject).toHaveLength(200);
      expect(all.filter((call) => call.status === 429)).toHaveLength(0);
      expect(shared.acquired.length).toBe(getPolicy.length);
      expect(shared.acquired.every((key) => /^getPolicy:[0-9a-f]{16}:qwen-vl-plus-/.test(key))).toBe(true);
    } finally {
      await Promise.all(storages.map((storage) => storage.close()));
      await shared.close();
    }
  });

  it('keeps the results of the other files when one of a batch fails', async () => {
    const model = context.uniqueModel();
    const storage = createTempStorage({ apiKey: context.apiKey, baseUrl: context.url });
    try {
      const results = await storage.uploadMany(
        [
          Buffer.from('a'),
          { file: '/definitely/not/here.png' },
          { file: Buffer.from('c'), fileName: 'c.txt' },
        ],
        { model, concurrency: 2 },
      );
      expect(results.map((result) => [result.index, result.status])).toEqual([
        [0, 'fulfilled'],
        [1, 'rejected'],
        [2, 'fulfilled'],
      ]);
      expect(results[1]).toMatchObject({ reason: { code: 'FILE_NOT_FOUND' } });
    } finally {
      await storage.close();
    }
  });

  it('refreshes the policy once and resends the file when the service says it expired', async () => {
    const model = context.uniqueModel();
    const storage = createTempStorage({ apiKey: context.apiKey, baseUrl: context.url });
    try {
      const first = await storage.upload(Buffer.from('one'), { model, fileName: 'one.txt' });
      // The local clock still trusts the cached policy; the service's clock is past its expiry.
      await context.admin.advanceClock(301_000);
      const second = await storage.upload(Buffer.from('two'), { model, fileName: 'two.txt' });
      expect(second.key.split('/').slice(0, -1)).not.toEqual(first.key.split('/').slice(0, -1));
      const { getPolicy, postObject } = await context.callsFor(model);
      expect(getPolicy.map((call) => call.status)).toEqual([200, 200]);
      expect(postObject.map((call) => call.status)).toEqual([200, 403, 200]);
      // The fresh policy serves the next upload too.
      await storage.upload(Buffer.from('three'), { model, fileName: 'three.txt' });
      expect((await context.callsFor(model)).getPolicy).toHaveLength(2);
    } finally {
      await context.admin.setClock(Date.now());
      await storage.close();
    }
  });

  it('does not resend a bare stream after an expired policy: BODY_CONSUMED says why, the 403 is its cause', async () => {
    const model = context.uniqueModel();
    const storage = createTempStorage({ apiKey: context.apiKey, baseUrl: context.url });
    try {
      await storage.upload(Buffer.from('warm'), { model });
      await context.admin.advanceClock(301_000);
      const error = await storage
        .upload(
          { stream: Readable.from([Buffer.from('once')]), sizeBytes: 4 },
          { model, fileName: 'once.txt' },
        )
        .catch((caught: unknown) => caught);
      expect(InvalidInputError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'BODY_CONSUMED', isRetryable: false });
      expect((error as Error).message).toContain('pass { open: () => stream, sizeBytes } or a path');
      const cause = (error as Error).cause;
      expect(HttpStatusError.isInstance(cause)).toBe(true);
      expect(cause).toMatchObject({ status: 403, serviceCode: 'AccessDenied', operation: 'PostObject' });
      expect((cause as Error).message).toContain('Policy expired');
    } finally {
      await context.admin.setClock(Date.now());
      await storage.close();
    }
  });

  it('waits out a 429 Throttling.RateQuota: the limiter is penalized and the call retried', async () => {
    const model = context.uniqueModel();
    const recording = recordingLimiter();
    const storage = createTempStorage({
      apiKey: context.apiKey,
      baseUrl: context.url,
      limiter: recording.limiter,
    });
    try {
      await context.admin.addFault({
        route: 'dashscope.getPolicy',
        fault: { type: 'status', status: 429, code: 'Throttling.RateQuota', retryAfterSeconds: 1 },
      });
      const result = await storage.upload(Buffer.from('x'), { model, fileName: 'x.txt' });
      expect(result.url).toMatch(/^oss:\/\//);
      const { getPolicy } = await context.callsFor(model);
      expect(getPolicy.map((call) => call.status)).toEqual([429, 200]);
      expect(recording.penalties).toEqual([{ key: recording.acquired[0], retryAfterMs: 1000 }]);
      expect(recording.acquired).toHaveLength(2);
    } finally {
      await storage.close();
      await recording.close();
    }
  });

  it('shares nothing between clients: each has its own cache', async () => {
    const model = context.uniqueModel();
    const first = createTempStorage({ apiKey: context.apiKey, baseUrl: context.url });
    const second = createTempStorage({ apiKey: context.apiKey, baseUrl: context.url });
    try {
      await first.upload(Buffer.from('1'), { model });
      await first.upload(Buffer.from('2'), { model });
      await second.upload(Buffer.from('3'), { model });
      expect((await context.callsFor(model)).getPolicy).toHaveLength(2);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
