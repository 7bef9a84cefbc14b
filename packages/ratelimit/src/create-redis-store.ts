import { createShareStore } from './create-memory-store.js';
import { RateLimitError, RateLimitStoreError } from './rate-limit-error.js';
import type { RateLimitStore, StoreBatchResult, StoreRequest } from './rate-limit-store.js';
import { type IoredisClient, type NodeRedisClient, type RedisEval, toRedisEval } from './redis-adapters.js';
import { slidingWindowScript } from './sliding-window-script.js';
import { checkWindowMargin, defaultWindowMarginMs } from './window-margin.js';

/** Go on without Redis under a local share of each quota. */
export interface LocalFallback {
  /** Fall back to an in-memory limiter. */
  fallback: 'local';
  /**
   * The fraction of each quota this process may use while Redis is unreachable, usually `1 / expected processes`.
   * Each quota gets at least 1 start per window.
   */
  share: number;
}

/** Options for {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * The Redis connection: an ioredis client, a node-redis v4/v5 client, or any {@link RedisEval} adapter.
   * Configure the client to fail fast when disconnected (ioredis `enableOfflineQueue: false`, node-redis
   * `disableOfflineQueue: true`).
   */
  client: RedisEval | IoredisClient | NodeRedisClient;
  /**
   * Prefix of every key the store writes. Processes that share a quota must use the same prefix.
   * @default 'ratelimit:'
   */
  prefix?: string;
  /**
   * Added to every window, as in the memory store and with the same default: the limiter sees calls when they are
   * dispatched, the service counts them when they arrive, and a first burst on new connections arrives spread over
   * their setup while the next one, on warm connections, lands about a window after its dispatch (see
   * {@link defaultWindowMarginMs}). It also absorbs skew between the Redis server's clock and the clients', and with
   * GCRA (`burst < limit`) the time between the server's admission and the real start. `0` keeps the bound measured
   * at dispatch only.
   * @default 100 ({@link defaultWindowMarginMs})
   */
  windowMarginMs?: number;
  /**
   * How long the server holds an admitted start that its client has not confirmed yet. A held start counts in every
   * window, however late its call starts; the hold only runs out when the client died between admission and start,
   * and then the start counts until this long plus a window after its admission.
   * @default 10000
   */
  holdMs?: number;
  /**
   * How long a Redis call may take before it counts as failed.
   * @default 1000
   */
  timeoutMs?: number;
  /**
   * What to do when Redis fails: `'fail-closed'` rejects the waiting call with {@link RateLimitStoreError};
   * `{ fallback: 'local', share }` admits calls under a local share of each quota instead.
   * @default 'fail-closed'
   */
  onError?: 'fail-closed' | LocalFallback;
  /**
   * With a local fallback, how long to stay on it after a failure before asking Redis again.
   * @default 1000
   */
  probeIntervalMs?: number;
  /** Called on every Redis failure (acquire, release or penalize), whatever `onError` says. */
  onStoreError?: (error: RateLimitStoreError) => void;
}

/** Random delay added to a denial so processes that wait for the same slot do not all ask at once. */
const maxJitterMs = 1;

/**
 * Creates a store that shares quotas between processes and machines through Redis: one sorted set of start times
 * per key, updated by one Lua script on the server's clock (atomic across every key of a call, keys expire when
 * idle). Only the first waiter of each key in each process talks to Redis: one script call admits a burst of
 * waiters, and one more confirms their starts once the calls have started (until then the server holds them, so
 * the bound holds measured at the clients however late they start).
 *
 * @throws {@link RateLimitError} `INVALID_OPTIONS` when `client` is neither an ioredis nor a node-redis client nor an
 * adapter, or when a number option is out of range.
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * const store = createRedisStore({
 *   client: new Redis({ enableOfflineQueue: false }),
 *   onError: { fallback: 'local', share: 1 / 4 },
 * });
 * const limiter = createRateLimiter({ limit: 10, intervalMs: 1000, store });
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): RateLimitStore {
  const redis = toRedisEval(options.client);
  const {
    prefix = 'ratelimit:',
    windowMarginMs = defaultWindowMarginMs,
    holdMs = 10_000,
    timeoutMs = 1000,
    onError = 'fail-closed',
    probeIntervalMs = 1000,
    onStoreError,
  } = options;
  checkWindowMargin(windowMarginMs, 'createRedisStore');
  if (!(holdMs > 0)) throw new RateLimitError('INVALID_OPTIONS', 'createRedisStore: holdMs must be > 0');
  if (!(timeoutMs > 0))
    throw new RateLimitError('INVALID_OPTIONS', 'createRedisStore: timeoutMs must be > 0');
  if (
    onError !== 'fail-closed' &&
    !(onError.fallback === 'local' && onError.share > 0 && onError.share <= 1)
  ) {
    throw new RateLimitError(
      'INVALID_OPTIONS',
      "createRedisStore: onError must be 'fail-closed' or { fallback: 'local', share: (0, 1] }",
    );
  }
  /** The local share: each rule's limit and burst scaled by `share` as the store reads them, on every call. */
  const local = onError === 'fail-closed' ? undefined : createShareStore(windowMarginMs, onError.share);
  let localUntil = Number.NEGATIVE_INFINITY;
  /** The requests the local share admitted, for their restamp. */
  const localAdmissions = new WeakSet<StoreRequest>();

  /**
   * KEYS and ARGV for acquisitions that share the same keys (the first one's demands name them). Starts are held
   * until confirmed when the limiter confirms them (`startsLater`).
   */
  function scriptArguments(
    mode: string,
    requests: readonly StoreRequest[],
  ): { keys: string[]; args: string[] } {
    const keys: string[] = [];
    const args = [mode, String(requests.length)];
    for (const request of requests) args.push(request.id, String(request.cost));
    const holdUs = requests[0]!.startsLater === true ? String(Math.round(holdMs * 1000)) : '0';
    for (const { key, rule } of requests[0]!.demands) {
      keys.push(`${prefix}${rule.burst >= rule.limit ? 'log' : 'gcra'}:${key}`, `${prefix}pause:${key}`);
      args.push(
        String(rule.limit),
        String(Math.round((rule.intervalMs + windowMarginMs) * 1000)),
        String(rule.burst),
        holdUs,
      );
    }
    return { keys, args };
  }

  /** Starts to confirm, sent together once the current burst of admissions has started. */
  let confirmations: StoreRequest[] = [];

  function confirm(request: StoreRequest): void {
    confirmations.push(request);
    if (confirmations.length > 1) return;
    queueMicrotask(() => {
      const requests = confirmations;
      confirmations = [];
      // One script call per set of keys: the requests of one burst almost always share theirs.
      const groups = new Map<string, StoreRequest[]>();
      for (const confirmed of requests) {
        const keys = confirmed.demands.map((demand) => demand.key).join('\n');
        const group = groups.get(keys);
        if (group === undefined) groups.set(keys, [confirmed]);
        else group.push(confirmed);
      }
      for (const group of groups.values()) {
        const { keys, args } = scriptArguments('restamp', group);
        // A failed confirmation leaves the starts held until `holdMs` runs out: safe, and reported.
        run('restamp', keys, args).catch(() => undefined);
      }
    });
  }

  async function run(
    operation: RateLimitStoreError['operation'],
    keys: string[],
    args: string[],
  ): Promise<[number, number]> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref?.();
    });
    let reply: unknown;
    try {
      reply = await Promise.race([redis.eval(slidingWindowScript, keys, args), timeout]);
    } catch (error) {
      throw report(
        new RateLimitStoreError(
          'STORE_UNAVAILABLE',
          `Redis ${operation} failed: ${(error as Error)?.message}`,
          {
            operation,
            cause: error,
          },
        ),
      );
    } finally {
      clearTimeout(timer);
    }
    if (
      !Array.isArray(reply) ||
      reply.length !== 2 ||
      typeof reply[0] !== 'number' ||
      typeof reply[1] !== 'number'
    ) {
      throw report(
        new RateLimitStoreError(
          'STORE_REPLY_INVALID',
          `Redis ${operation}: unexpected reply ${String(reply)}`,
          {
            operation,
          },
        ),
      );
    }
    return reply as [number, number];
  }

  function report(error: RateLimitStoreError): RateLimitStoreError {
    try {
      onStoreError?.(error);
    } catch {
      // A failing hook must not change what the limiter does.
    }
    return error;
  }

  function acquireLocally(request: StoreRequest): number {
    const waitMs = local!.acquire(request) as number;
    if (waitMs <= 0) localAdmissions.add(request);
    return waitMs;
  }

  function acquireBatchLocally(requests: readonly StoreRequest[]): StoreBatchResult {
    for (let index = 0; index < requests.length; index++) {
      const waitMs = acquireLocally(requests[index]!);
      if (waitMs > 0) return { admitted: index, waitMs };
    }
    return { admitted: requests.length, waitMs: 0 };
  }

  async function acquireBatchRemotely(requests: readonly StoreRequest[]): Promise<StoreBatchResult> {
    const { keys, args } = scriptArguments('acquire', requests);
    const sentAt = performance.now();
    let admitted: number;
    let waitUs: number;
    try {
      [admitted, waitUs] = await run('acquire', keys, args);
    } catch (error) {
      if (local === undefined) throw error;
      // Ask again at once: the local share then answers synchronously, in the tick the calls start.
      localUntil = requests[0]!.now + (performance.now() - sentAt) + probeIntervalMs;
      return { admitted: 0, waitMs: Number.MIN_VALUE };
    }
    return {
      admitted,
      waitMs: admitted === requests.length ? 0 : waitUs / 1000 + Math.random() * maxJitterMs,
    };
  }

  function acquireBatch(requests: readonly StoreRequest[]): StoreBatchResult | Promise<StoreBatchResult> {
    if (local !== undefined && requests[0]!.now < localUntil) return acquireBatchLocally(requests);
    return acquireBatchRemotely(requests);
  }

  return {
    acquire(request: StoreRequest): number | Promise<number> {
      const result = acquireBatch([request]);
      if (!(result instanceof Promise)) return result.waitMs;
      return result.then(({ waitMs }) => waitMs);
    },
    acquireBatch,
    restamp(request: StoreRequest, now: number): void {
      if (localAdmissions.delete(request)) {
        local!.restamp!(request, now);
        return;
      }
      // Admitted by Redis: the call has started, so the server's clock is now past its start.
      if (request.startsLater === true) confirm(request);
    },
    async release(request: StoreRequest): Promise<void> {
      const { keys, args } = scriptArguments('release', [request]);
      await run('release', keys, args).catch(() => undefined);
    },
    async penalize(key: string, retryAfterMs: number): Promise<void> {
      const ms = String(Math.ceil(retryAfterMs));
      await run('penalize', [`${prefix}pause:${key}`], ['penalize', ms]).catch(() => undefined);
    },
  };
}
