import { createEmulator, type Emulator } from '@x/emulator';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createModelStudioLimiter,
  createRedisStore,
  modelStudioQuotas,
  type RateLimitStore,
} from '../src/index.js';
import { maxInWindow } from './support/windows.js';

/**
 * A quota is enforced by the service on arrivals; the limiter sees dispatches. The emulator counts arrivals in a
 * sliding window and answers 429 above the quota, as the service does, so it is the judge here: calls made at the
 * documented quota through the limiter must never be over it there, cold connections included, however loaded the
 * machine (a schedule()d call counts until it settles, and each window is widened by the stores' margin).
 */

const port = inject('redisPort');
const calls = 40;
const quota = modelStudioQuotas.files;

/** The emulator's own gauge of one quota key, from the first snapshot of its console's event stream. */
async function quotaGauge(emulator: Emulator, key: string) {
  const response = await fetch(`${emulator.url}/__emulator/events`);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error('the event stream ended before its first snapshot');
      text += decoder.decode(value, { stream: true });
      // Events end with a blank line; the first one that carries data is the snapshot (others are comments).
      for (let end = text.indexOf('\n\n'); end !== -1; end = text.indexOf('\n\n')) {
        const data = text
          .slice(0, end)
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5))
          .join('\n');
        text = text.slice(end + 2);
        if (data === '') continue;
        const snapshot = JSON.parse(data) as {
          quotas: { key: string; limit: number; peak: number; rejected: number }[];
        };
        return snapshot.quotas.find((gauge) => gauge.key === key);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Uploads one small file; returns a function that retrieves it and answers the status. */
async function fileToRetrieve(emulator: Emulator): Promise<() => Promise<number>> {
  const authorization = `Bearer ${emulator.account.apiKey}`;
  const form = new FormData();
  form.append('purpose', 'file-extract');
  form.append('file', new Blob(['# notes\n']), 'notes.md');
  const uploaded = (await (
    await fetch(`${emulator.url}/compatible-mode/v1/files`, {
      method: 'POST',
      headers: { authorization },
      body: form,
    })
  ).json()) as { id: string };
  return async () => {
    const response = await fetch(`${emulator.url}/compatible-mode/v1/files/${uploaded.id}`, {
      headers: { authorization },
    });
    await response.arrayBuffer();
    return response.status;
  };
}

/** 40 Files API retrieves of one file, all submitted at once, each dispatched when the limiter admits it. */
async function retrievesAtQuota(store?: RateLimitStore) {
  // A new emulator on a new port: the first burst opens new connections, the next ones reuse them.
  const emulator = await createEmulator();
  const limiter = createModelStudioLimiter(store === undefined ? {} : { store });
  try {
    const retrieve = await fileToRetrieve(emulator);
    const statuses = await Promise.all(
      Array.from({ length: calls }, () => limiter.schedule(`files:${emulator.account.name}`, retrieve)),
    );
    const arrivals = emulator.calls
      .filter((call) => call.route === 'files.retrieve')
      .map((call) => call.startedAtMs);
    const gauge = await quotaGauge(emulator, `files.query:${emulator.account.name}`);
    return { statuses, arrivals, gauge };
  } finally {
    await limiter.close();
    await emulator.close();
  }
}

function expectWithinQuota(result: Awaited<ReturnType<typeof retrievesAtQuota>>): void {
  expect(result.statuses.filter((status) => status === 429)).toEqual([]);
  expect(result.statuses).toEqual(Array.from({ length: calls }, () => 200));
  expect(result.arrivals).toHaveLength(calls);
  // Counted where they arrived, on the emulator's clock, never more than the quota in any window...
  expect(maxInWindow(result.arrivals, quota.intervalMs)).toBeLessThanOrEqual(quota.limit);
  // ...and the emulator's own gauge agrees: the most calls it ever saw in one window, and no refusal.
  expect(result.gauge).toMatchObject({ limit: quota.limit, rejected: 0 });
  expect(result.gauge!.peak).toBeLessThanOrEqual(quota.limit);
  // Full bursts still: the margin costs a little time per window, not the quota itself.
  expect(result.gauge!.peak).toBe(quota.limit);
}

describe('calls at a documented quota arrive within it at a server that counts arrivals', () => {
  it(`memory store: ${calls} Files retrieves at ${quota.limit}/s through createModelStudioLimiter() draw no 429`, async () => {
    expectWithinQuota(await retrievesAtQuota());
  });

  describe.skipIf(port === undefined)('Redis store', () => {
    let client: Redis;
    beforeAll(async () => {
      client = new Redis({ port: port!, host: '127.0.0.1', enableOfflineQueue: false, lazyConnect: true });
      await client.connect();
    });
    afterAll(async () => {
      await client.quit();
    });

    it(`${calls} Files retrieves at ${quota.limit}/s through createModelStudioLimiter() draw no 429`, async () => {
      const prefix = `arrivals-${process.pid}-${Date.now()}:`;
      expectWithinQuota(await retrievesAtQuota(createRedisStore({ client, prefix })));
    });
  });
});
