import { type Demand, LimiterEngine, type Release } from './limiter-engine.js';
import {
  type AcquireOptions,
  type QuotaOptions,
  type QuotaUpdate,
  toQuota,
  updateQuota,
} from './quota-options.js';
import type { RateLimitStore } from './rate-limit-store.js';

/** Options for {@link createRateLimiter}: one quota applied to every key separately. */
export interface RateLimiterOptions extends QuotaOptions {
  /**
   * Where starts are counted: in this process, or shared by many through {@link createRedisStore}.
   * @default createMemoryStore()
   */
  store?: RateLimitStore;
  /**
   * The clock, in milliseconds, monotonic. Tests inject a fake one; the Redis store ignores it and uses the server's.
   * @default () => performance.now()
   */
  clock?: () => number;
}

/**
 * An exact rate limiter: over any sliding window of `intervalMs`, no key ever sees more than `limit` starts,
 * measured when the call is dispatched. Waiters of one key go in FIFO order.
 */
export interface RateLimiter {
  /**
   * Resolves when a call under `key` may start; start it right away. Resolves with a function that releases the
   * call's concurrency slot (a no-op without `concurrency`); call it when the call settles.
   *
   * The admitted start is held (it counts in every window) until the caller's continuation has run, then counted
   * from that moment. So the bound holds for a caller that starts its call in the continuation of the `await` (or in
   * a `.then()` callback on this promise), however late that runs; a caller that awaits anything else first is not
   * covered, as its start may count as earlier than it was. {@link RateLimiter.schedule} has no such condition.
   *
   * @throws `signal.reason` when aborted while waiting; no start is counted and the turn passes on.
   * @throws {@link RateLimitError} `LIMITER_CLOSED` after {@link RateLimiter.close}.
   * @throws {@link RateLimitStoreError} when a shared store fails closed.
   * @throws {@link RateLimitError} `INVALID_OPTIONS` when `cost` is not a positive integer or exceeds `limit`.
   */
  acquire(key: string, options?: AcquireOptions): Promise<() => void>;
  /**
   * Runs `fn` under `key` as soon as the quota allows, starting it synchronously at the moment of admission (the
   * most exact path), and resolves with its result. The concurrency slot is released when `fn`'s promise settles.
   *
   * @throws what `fn` throws, and what {@link RateLimiter.acquire} throws.
   */
  schedule<T>(key: string, fn: () => T | PromiseLike<T>, options?: AcquireOptions): Promise<Awaited<T>>;
  /**
   * Pauses every caller of `key` for `retryAfterMs` (for example from a 429's `Retry-After`), in this process and,
   * with a shared store, in every process.
   */
  penalize(key: string, retryAfterMs: number): void;
  /**
   * Changes the limits at run time. Starts already counted stay counted; waiters are re-checked at once.
   *
   * @throws {@link RateLimitError} `INVALID_OPTIONS` on an invalid limit or window.
   */
  update(update: QuotaUpdate): void;
  /** Rejects every waiter with `LIMITER_CLOSED`, stops the timer and waits for store calls in flight. */
  close(): Promise<void>;
}

/**
 * Creates a rate limiter that applies one quota to each key (an account, a model, an endpoint).
 *
 * The limiter keeps a sliding-window log per key and checks it at dispatch, on a monotonic sub-millisecond clock,
 * with one timer per limiter that exists only while calls wait.
 *
 * @throws {@link RateLimitError} `INVALID_OPTIONS` on invalid options.
 * @example
 * ```ts
 * const limiter = createRateLimiter({ limit: 3, intervalMs: 1000 });
 * const file = await limiter.schedule(accountId, () => files.upload(path));
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const quota = toQuota(options, 'createRateLimiter');
  const engine = new LimiterEngine(options.store, options.clock);
  const demandsOf = (key: string): Demand[] => [{ key, rule: quota }];
  return {
    acquire(key: string, acquireOptions: AcquireOptions = {}): Promise<Release> {
      return engine.acquire(demandsOf(key), acquireOptions.cost ?? 1, acquireOptions.signal);
    },
    schedule<T>(key: string, fn: () => T | PromiseLike<T>, scheduleOptions: AcquireOptions = {}) {
      return engine.schedule(demandsOf(key), scheduleOptions.cost ?? 1, scheduleOptions.signal, fn);
    },
    penalize(key: string, retryAfterMs: number): void {
      engine.penalize([key], retryAfterMs);
    },
    update(update: QuotaUpdate): void {
      updateQuota(quota, update, 'update');
      engine.changed();
    },
    close(): Promise<void> {
      return engine.close();
    },
  };
}
