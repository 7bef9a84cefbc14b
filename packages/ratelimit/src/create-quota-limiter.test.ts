import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { maxInWindow } from '../test/support/windows.js';
import { createMemoryStore } from './create-memory-store.js';
import { createQuotaLimiter } from './create-quota-limiter.js';
import { createModelStudioLimiter, modelStudioQuotas } from './model-studio-quotas.js';
import { RateLimitError } from './rate-limit-error.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

const clock = () => Date.now();
/** The algorithm alone, measured at dispatch: no window margin (the margin has its own tests). */
const exactStore = () => createMemoryStore({ windowMarginMs: 0 });

describe('createQuotaLimiter', () => {
  it('admits a call under several quotas atomically: a waiting call consumes none of them', async () => {
    const limiter = createQuotaLimiter({
      store: exactStore(),
      quotas: { uploads: { limit: 1, intervalMs: 1000 }, calls: { limit: 3, intervalMs: 1000 } },
      clock,
    });
    const log: string[] = [];
    const run = (label: string, selection: Parameters<typeof limiter.schedule>[0], signal?: AbortSignal) =>
      limiter.schedule(selection, () => log.push(`${label}@${Date.now()}`), { signal });

    await run('upload', { uploads: 'acct' });
    const controller = new AbortController();
    // Needs both quotas; `uploads` is exhausted, so it waits, and must not hold a `calls` start meanwhile.
    const both = run('both', { uploads: 'acct', calls: 'acct' }, controller.signal);
    const calls = [
      run('call-1', { calls: 'acct' }),
      run('call-2', { calls: 'acct' }),
      run('call-3', { calls: 'acct' }),
    ];
    await vi.advanceTimersByTimeAsync(500);
    // FIFO per key: the `calls` waiters queue behind the two-quota call.
    expect(log).toEqual(['upload@0']);
    controller.abort();
    await expect(both).rejects.toBeDefined();
    await Promise.all(calls);
    // All three `calls` starts were still free: the aborted two-quota call consumed none.
    expect(log).toEqual(['upload@0', 'call-1@500', 'call-2@500', 'call-3@500']);
  });

  it('holds every quota in every window when calls mix quotas', async () => {
    const limiter = createQuotaLimiter({
      store: exactStore(),
      quotas: { account: { limit: 5, intervalMs: 1000 }, model: { limit: 2, intervalMs: 1000 } },
      clock,
    });
    const accountStarts: number[] = [];
    const modelStarts: Record<string, number[]> = { x: [], y: [] };
    const calls: Promise<unknown>[] = [];
    for (let index = 0; index < 30; index++) {
      const model = index % 3 === 0 ? 'y' : 'x';
      calls.push(
        limiter.schedule({ account: 'acct', model: `acct:${model}` }, () => {
          accountStarts.push(Date.now());
          modelStarts[model]!.push(Date.now());
        }),
      );
    }
    await vi.advanceTimersByTimeAsync(60_000);
    await Promise.all(calls);
    expect(accountStarts).toHaveLength(30);
    expect(maxInWindow(accountStarts, 1000)).toBeLessThanOrEqual(5);
    expect(maxInWindow(modelStarts.x!, 1000)).toBe(2);
    expect(maxInWindow(modelStarts.y!, 1000)).toBe(2);
  });

  it('takes "<quota>:<key>" strings by default, a custom route otherwise, and rejects unknown quotas', async () => {
    const limiter = createQuotaLimiter({
      store: exactStore(),
      quotas: { uploads: { limit: 1, intervalMs: 1000 } },
      clock,
    });
    await limiter.acquire('uploads:acct');
    let second = false;
    const pending = limiter.acquire({ uploads: 'acct' }).then(() => (second = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(second).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    await expect(limiter.acquire('nope:acct')).rejects.toThrow(/Unknown quota "nope" in the key "nope:acct"/);
    await expect(limiter.acquire('nope:acct')).rejects.toMatchObject({
      name: 'RateLimitError',
      code: 'UNKNOWN_QUOTA',
    });
    await expect(limiter.acquire('no-separator')).rejects.toMatchObject({ code: 'UNKNOWN_QUOTA' });
    await expect(limiter.acquire({})).rejects.toThrow(/names no quota/);

    const routed = createQuotaLimiter({
      store: exactStore(),
      quotas: { perAccount: { limit: 2, intervalMs: 1000 }, perModel: { limit: 1, intervalMs: 1000 } },
      route: (key) => {
        const [account, model] = key.split('/');
        return { perAccount: account, perModel: `${account}/${model}` };
      },
      clock,
    });
    const starts: string[] = [];
    const calls = ['a/m1', 'a/m1', 'a/m2'].map((key) =>
      routed.schedule(key, () => starts.push(`${key}@${Date.now()}`)),
    );
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(calls);
    // The second a/m1 waits for its model; a/m2 queues behind it on the shared account key (FIFO per key).
    expect(starts).toEqual(['a/m1@1000', 'a/m1@2000', 'a/m2@2000']);
  });

  it('penalizes and updates one quota at a time', async () => {
    const limiter = createQuotaLimiter({
      store: exactStore(),
      quotas: { uploads: { limit: 1, intervalMs: 1000 }, calls: { limit: 10, intervalMs: 1000 } },
      clock,
    });
    limiter.penalize('uploads:acct', 200);
    const log: string[] = [];
    const calls = [
      limiter.schedule({ uploads: 'acct' }, () => log.push(`upload@${Date.now()}`)),
      limiter.schedule({ calls: 'acct' }, () => log.push(`call@${Date.now()}`)),
      limiter.schedule({ uploads: 'acct' }, () => log.push(`upload@${Date.now()}`)),
    ];
    await vi.advanceTimersByTimeAsync(200);
    expect(log).toEqual(['call@0', 'upload@200']);
    limiter.update('uploads', { limit: 2 });
    await Promise.all(calls);
    expect(log).toEqual(['call@0', 'upload@200', 'upload@200']);
    expect(() => limiter.update('nope' as 'uploads', { limit: 1 })).toThrow(RateLimitError);
  });
});

describe('createModelStudioLimiter', () => {
  it('applies the documented quotas per account, and getPolicy per account and model', async () => {
    const limiter = createModelStudioLimiter({ clock });
    const starts: Record<string, number[]> = {};
    const run = (key: string) =>
      limiter.schedule(key, () => {
        starts[key] ??= [];
        starts[key].push(Date.now());
      });
    const calls: Promise<unknown>[] = [];
    for (let index = 0; index < 6; index++) calls.push(run('filesUpload:acct'), run('files:acct'));
    for (let index = 0; index < 150; index++)
      calls.push(run('getPolicy:acct:qwen-vl-max'), run('getPolicy:acct:qwen-max'));
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all(calls);
    expect(maxInWindow(starts['filesUpload:acct']!, 1000)).toBe(modelStudioQuotas.filesUpload.limit);
    // Each window is widened by the default margin, so the next burst comes 1100 ms after the first.
    expect(starts['filesUpload:acct']).toEqual([0, 0, 0, 1100, 1100, 1100]);
    expect(starts['files:acct']).toEqual([0, 0, 0, 0, 0, 0]);
    expect(maxInWindow(starts['getPolicy:acct:qwen-vl-max']!, 1000)).toBe(100);
    expect(maxInWindow(starts['getPolicy:acct:qwen-max']!, 1000)).toBe(100);
  });

  it('takes a share of each quota for clients that split an account', async () => {
    const limiter = createModelStudioLimiter({ clock, share: 0.5 });
    const starts: number[] = [];
    const calls = Array.from({ length: 4 }, () =>
      limiter.schedule('filesUpload:acct', () => starts.push(Date.now())),
    );
    await vi.advanceTimersByTimeAsync(4000);
    await Promise.all(calls);
    expect(starts).toEqual([0, 1100, 2200, 3300]);
    expect(() => createModelStudioLimiter({ share: 0 })).toThrow(RateLimitError);
  });
});
