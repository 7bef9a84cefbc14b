import { createRateLimiter } from '@x/ratelimit';

const limiter = createRateLimiter({ limit: 3, intervalMs: 1000 });
const accountId = 'account-1';
const signal = AbortSignal.timeout(30_000);
const callTheService = async (what: string) => `${what} done at ${Math.round(performance.now())} ms`;

// The main path: the function starts in the very tick it is admitted.
const result = await limiter.schedule(accountId, () => callTheService('upload'), { signal });
console.log(result);

// Or wait for a turn and start right away; the release matters only with `concurrency`.
const release = await limiter.acquire(accountId, { signal, cost: 1 });
try {
  console.log(await callTheService('list'));
} finally {
  release();
}

// A 429 with Retry-After: pause every caller of this key (in every process, with a Redis store).
limiter.penalize(accountId, 200);

limiter.update({ limit: 5 }); // waiters are re-checked at once
console.log(await limiter.schedule(accountId, () => callTheService('after the pause'), { signal }));
await limiter.close(); // rejects waiters with LIMITER_CLOSED
