import { describe, expect, it } from 'vitest';
import { createModelStudioLimiter, createQuotaLimiter, createRateLimiter } from '../src/index.js';

/** The limiter interface a transport consults (declared there; repeated here, structurally). */
interface Limiter {
  // biome-ignore lint/suspicious/noConfusingVoidType: the signature exactly as the transport declares it.
  acquire(key: string, options?: { signal?: AbortSignal; cost?: number }): Promise<void | (() => void)>;
  penalize?(key: string, retryAfterMs: number): void;
}

describe('the transport limiter interface', () => {
  it('is implemented by every limiter, string keys included', async () => {
    const limiters: Limiter[] = [
      createRateLimiter({ limit: 2, intervalMs: 1000 }),
      createQuotaLimiter({ quotas: { calls: { limit: 2, intervalMs: 1000 } } }),
      createModelStudioLimiter(),
    ];
    const keys = ['account-1', 'calls:account-1', 'addFile:account-1'];
    for (const [index, limiter] of limiters.entries()) {
      const release = await limiter.acquire(keys[index]!, { cost: 1 });
      expect(typeof release).toBe('function');
      limiter.penalize?.(keys[index]!, 10);
    }
  });
});
