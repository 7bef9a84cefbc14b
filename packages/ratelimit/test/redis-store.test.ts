import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createQuotaLimiter,
  createRateLimiter,
  createRedisStore,
  ioredisAdapter,
  nodeRedisAdapter,
  RateLimitError,
  RateLimitStoreError,
  type RedisEval,
} from '../src/index.js';
import { maxInWindow } from './support/windows.js';

const port = inject('redisPort');
if (port === undefined) console.warn('redis-server is not installed: skipping the Redis store tests');

let prefixCount = 0;
/** A fresh key prefix per test, so tests never see each other's counts. */
const freshPrefix = () => `test-${process.pid}-${prefixCount++}:`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs scripts for real but holds back the replies of admissions after the first `passed` until `open()`. */
function heldReplies(real: RedisEval, passed: number): RedisEval & { open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let admissions = 0;
  return {
    open,
    async eval(script, keys, args) {
      const reply = await real.eval(script, keys, args);
      if (args[0] === 'acquire' && ++admissions > passed) await opened;
      return reply;
    },
  };
}

/** Waits until the server holds `count` starts under `key` (the scripts are in flight), for at most 2 s. */
async function waitForCount(client: Redis, key: string, count: number): Promise<void> {
  for (let waited = 0; waited < 2000 && (await client.zcard(key)) < count; waited += 5) await sleep(5);
  expect(await client.zcard(key)).toBe(count);
}

describe.skipIf(port === undefined)('createRedisStore against a real redis-server', () => {
  const clients: Redis[] = [];
  let nodeRedis: ReturnType<typeof createClient>;
  /** A new ioredis connection: one per simulated process. */
  const connect = () => {
    const client = new Redis({
      port: port!,
      host: '127.0.0.1',
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    clients.push(client);
    return client.connect().then(() => client);
  };

  beforeAll(async () => {
    nodeRedis = createClient({ socket: { port: port!, host: '127.0.0.1' }, disableOfflineQueue: true });
    await nodeRedis.connect();
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
    await nodeRedis.quit();
  });

  it('shares one limit between limiters on separate connections (ioredis), never over it in any window', async () => {
    const prefix = freshPrefix();
    const limiters = await Promise.all(
      [1, 2, 3].map(async () =>
        createRateLimiter({
          limit: 5,
          intervalMs: 300,
          store: createRedisStore({ client: await connect(), prefix }),
        }),
      ),
    );
    const starts: number[] = [];
    await Promise.all(
      limiters.flatMap((limiter) =>
        Array.from({ length: 6 }, () => limiter.schedule('shared', () => starts.push(performance.now()))),
      ),
    );
    expect(starts).toHaveLength(18);
    expect(maxInWindow(starts, 300)).toBe(5);
  });

  it('works through node-redis, and admits several quotas atomically in one script', async () => {
    const prefix = freshPrefix();
    const limiter = createQuotaLimiter({
      quotas: { uploads: { limit: 1, intervalMs: 60_000 }, calls: { limit: 3, intervalMs: 60_000 } },
      store: createRedisStore({ client: nodeRedisAdapter(nodeRedis), prefix }),
    });
    await limiter.acquire({ uploads: 'acct', calls: 'acct' });
    const controller = new AbortController();
    const both = limiter.acquire({ uploads: 'acct', calls: 'acct' }, { signal: controller.signal });
    await sleep(30);
    expect(await nodeRedis.zCard(`${prefix}log:calls:acct`)).toBe(1);
    controller.abort();
    await expect(both).rejects.toBeDefined();
    await limiter.acquire({ calls: 'acct' });
    await limiter.acquire({ calls: 'acct' });
    expect(await nodeRedis.zCard(`${prefix}log:calls:acct`)).toBe(3);
    expect(await nodeRedis.zCard(`${prefix}log:uploads:acct`)).toBe(1);
    await limiter.close();
  });

  it('accepts the clients themselves and expires idle keys', async () => {
    const prefix = freshPrefix();
    const client = await connect();
    for (const store of [
      createRedisStore({ client, prefix }),
      createRedisStore({ client: nodeRedis, prefix }),
    ]) {
      const limiter = createRateLimiter({ limit: 10, intervalMs: 2000, store });
      await limiter.acquire('k');
    }
    expect(await client.zcard(`${prefix}log:k`)).toBe(2);
    // Until its starts are confirmed the key lives for the hold (10 s) too; then for the window (2 s), the margin
    // and one second.
    let ttl = await client.pttl(`${prefix}log:k`);
    expect(ttl).toBeGreaterThan(2000);
    expect(ttl).toBeLessThanOrEqual(13_100);
    for (let waited = 0; waited < 2000 && ttl > 3100; waited += 10) {
      await sleep(10);
      ttl = await client.pttl(`${prefix}log:k`);
    }
    expect(ttl).toBeGreaterThan(2000);
    expect(ttl).toBeLessThanOrEqual(3100);
  });

  it('holds an admitted start until its call has started, however late (a process stalled in between)', async () => {
    const prefix = freshPrefix();
    const stalled = createRateLimiter({
      limit: 5,
      intervalMs: 300,
      store: createRedisStore({ client: await connect(), prefix }),
    });
    const other = createRateLimiter({
      limit: 5,
      intervalMs: 300,
      store: createRedisStore({ client: await connect(), prefix }),
    });
    const starts: number[] = [];
    await stalled.schedule(
      'k',
      () => {
        // The process stalls between the admission and the real start for longer than the window (a long garbage
        // collection, a descheduled process), so it cannot have noticed before starting.
        const until = performance.now() + 400;
        while (performance.now() < until) {}
        const startedAt = performance.now();
        starts.push(startedAt, startedAt, startedAt, startedAt, startedAt);
      },
      { cost: 5 },
    );
    await Promise.all(
      Array.from({ length: 5 }, () => other.schedule('k', () => starts.push(performance.now()))),
    );
    // The five late starts count from when they happened, not from their admission a window earlier.
    expect(maxInWindow(starts, 300)).toBe(5);
  });

  it("counts on the server's clock, so a client with a skewed clock changes nothing", async () => {
    const prefix = freshPrefix();
    const skewed = createRateLimiter({
      limit: 4,
      intervalMs: 300,
      store: createRedisStore({ client: await connect(), prefix }),
      clock: () => performance.now() + 3_600_000,
    });
    const normal = createRateLimiter({
      limit: 4,
      intervalMs: 300,
      store: createRedisStore({ client: await connect(), prefix }),
    });
    const starts: number[] = [];
    await Promise.all(
      [skewed, normal].flatMap((limiter) =>
        Array.from({ length: 6 }, () => limiter.schedule('k', () => starts.push(performance.now()))),
      ),
    );
    expect(maxInWindow(starts, 300)).toBe(4);
  });

  it('pauses the callers of a penalized key in every process', async () => {
    const prefix = freshPrefix();
    const first = createRateLimiter({
      limit: 10,
      intervalMs: 1000,
      store: createRedisStore({ client: await connect(), prefix }),
    });
    const second = createRateLimiter({
      limit: 10,
      intervalMs: 1000,
      store: createRedisStore({ client: await connect(), prefix }),
    });
    const observer = await connect();
    // The server starts the pause after this moment, and the other process may go only 400 ms after that.
    const penalizedAt = performance.now();
    first.penalize('k', 400);
    while ((await observer.pttl(`${prefix}pause:k`)) < 0) await sleep(1);
    await second.acquire('k');
    expect(performance.now() - penalizedAt).toBeGreaterThanOrEqual(399);
  });

  it('hands the start back when the caller aborts while Redis is admitting it', async () => {
    const prefix = freshPrefix();
    const client = await connect();
    const gate = heldReplies(ioredisAdapter(client), 0);
    const limiter = createRateLimiter({
      limit: 1,
      intervalMs: 60_000,
      store: createRedisStore({ client: gate, prefix }),
    });
    const controller = new AbortController();
    const acquired = limiter.acquire('k', { signal: controller.signal });
    await waitForCount(client, `${prefix}log:k`, 1);
    controller.abort(new Error('gave up'));
    await expect(acquired).rejects.toThrow('gave up');
    // The reply arrives after the abort; the limiter then takes the start back.
    gate.open();
    for (let waited = 0; waited < 2000 && (await client.zcard(`${prefix}log:k`)) > 0; waited += 10)
      await sleep(10);
    expect(await client.zcard(`${prefix}log:k`)).toBe(0);
    await limiter.acquire('k');
    await limiter.close();
  });

  it('admits a burst of waiters of one key in a few round trips, not one each', async () => {
    const prefix = freshPrefix();
    const real = ioredisAdapter(await connect());
    let acquireCalls = 0;
    const counting: RedisEval = {
      eval: (script, keys, args) => {
        if (args[0] === 'acquire') acquireCalls++;
        return real.eval(script, keys, args);
      },
    };
    const limiter = createRateLimiter({
      limit: 10,
      intervalMs: 200,
      store: createRedisStore({ client: counting, prefix }),
    });
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, () => limiter.schedule('k', () => starts.push(performance.now()))),
    );
    expect(maxInWindow(starts, 200)).toBe(10);
    // One call for the first waiter, then about one per window for the rest.
    expect(acquireCalls).toBeLessThanOrEqual(10);
  });

  it('hands back the start of a waiter aborted while its batch is in flight, and admits the others', async () => {
    const prefix = freshPrefix();
    const client = await connect();
    const gate = heldReplies(ioredisAdapter(client), 1);
    const limiter = createRateLimiter({
      limit: 10,
      intervalMs: 60_000,
      store: createRedisStore({ client: gate, prefix }),
    });
    const controller = new AbortController();
    const first = limiter.acquire('k');
    const second = limiter.acquire('k');
    const aborted = limiter.acquire('k', { signal: controller.signal });
    const fourth = limiter.acquire('k');
    await first;
    // The three others are now one batch, admitted on the server, its reply held back.
    await waitForCount(client, `${prefix}log:k`, 4);
    controller.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');
    gate.open();
    await Promise.all([second, fourth]);
    for (let waited = 0; waited < 2000 && (await client.zcard(`${prefix}log:k`)) > 3; waited += 10)
      await sleep(10);
    expect(await client.zcard(`${prefix}log:k`)).toBe(3);
    await limiter.close();
  });

  it('spaces starts with GCRA in Redis when burst < limit', async () => {
    const prefix = freshPrefix();
    const limiter = createRateLimiter({
      limit: 5,
      intervalMs: 250,
      burst: 1,
      store: createRedisStore({ client: await connect(), prefix }),
    });
    const submittedAt = performance.now();
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, () => limiter.schedule('k', () => starts.push(performance.now()))),
    );
    // The server admits one start per emission interval ((250 + 100 margin) / 5 = 70 ms), the first at once: the last
    // of eight starts no earlier than seven intervals after the first was sent (a log would admit five at once and
    // the rest one window later, at about 255 ms). Client-side delays only make starts later.
    expect(starts).toHaveLength(8);
    expect(starts.at(-1)! - submittedAt).toBeGreaterThanOrEqual(7 * 50);
  });

  it('reloads its script after SCRIPT FLUSH', async () => {
    const prefix = freshPrefix();
    const client = await connect();
    const limiter = createRateLimiter({
      limit: 10,
      intervalMs: 1000,
      store: createRedisStore({ client, prefix }),
    });
    await limiter.acquire('k');
    await client.script('FLUSH');
    await limiter.acquire('k');
    expect(await client.zcard(`${prefix}log:k`)).toBe(2);
  });
});

describe('createRedisStore when Redis fails', () => {
  /** An ioredis client pointed at a port nobody listens on, failing fast. */
  const unreachable = () =>
    new Redis({
      port: 1,
      host: '127.0.0.1',
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    }).on('error', () => {});

  it('fails closed with a typed error and reports it', async () => {
    const reported: RateLimitStoreError[] = [];
    const limiter = createRateLimiter({
      limit: 10,
      intervalMs: 1000,
      store: createRedisStore({ client: unreachable(), onStoreError: (error) => reported.push(error) }),
    });
    const error = await limiter.acquire('k').catch((caught: unknown) => caught);
    expect(RateLimitStoreError.isInstance(error)).toBe(true);
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect((error as RateLimitStoreError).code).toBe('STORE_UNAVAILABLE');
    expect((error as RateLimitStoreError).operation).toBe('acquire');
    expect(reported).toEqual([error]);
  });

  it('times out a Redis call that never answers', async () => {
    const hanging: RedisEval = { eval: () => new Promise(() => {}) };
    const limiter = createRateLimiter({
      limit: 10,
      intervalMs: 1000,
      store: createRedisStore({ client: hanging, timeoutMs: 50 }),
    });
    await expect(limiter.acquire('k')).rejects.toThrow(/no answer within 50 ms/);
  });

  it('rejects a reply it does not understand', async () => {
    const garbage: RedisEval = { eval: async () => 'OK' };
    const limiter = createRateLimiter({
      limit: 10,
      intervalMs: 1000,
      store: createRedisStore({ client: garbage }),
    });
    await expect(limiter.acquire('k')).rejects.toSatisfy(
      (error) => RateLimitStoreError.isInstance(error) && error.code === 'STORE_REPLY_INVALID',
    );
  });

  it('falls back to a local share of the quota when asked to', async () => {
    const reported: RateLimitStoreError[] = [];
    // Starts are taken as the limiter's own clock reading at admission, so a busy machine cannot blur them.
    let admittedAt = 0;
    const limiter = createRateLimiter({
      limit: 4,
      intervalMs: 300,
      clock: () => (admittedAt = performance.now()),
      store: createRedisStore({
        client: unreachable(),
        onError: { fallback: 'local', share: 0.5 },
        // Longer than the test can take on any machine, so Redis is never probed again during it.
        probeIntervalMs: 60_000,
        onStoreError: (error) => reported.push(error),
      }),
    });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => limiter.schedule('k', () => starts.push(admittedAt))));
    expect(maxInWindow(starts, 300)).toBe(2);
    expect(starts[5]! - starts[0]!).toBeGreaterThanOrEqual(600);
    // One failure opens the local path for probeIntervalMs; Redis is not asked again meanwhile.
    expect(reported).toHaveLength(1);
  });

  it('validates its options', () => {
    const client: RedisEval = { eval: async () => [1, 0] };
    expect(() => createRedisStore({ client, onError: { fallback: 'local', share: 0 } })).toThrow(
      RateLimitError,
    );
    expect(() => createRedisStore({ client, timeoutMs: 0 })).toThrow(RateLimitError);
    expect(() => createRedisStore({ client, holdMs: 0 })).toThrow(RateLimitError);
    expect(() => createRedisStore({ client: {} as RedisEval })).toThrow(RateLimitError);
  });
});
