import type { Quota } from './limiter-engine.js';
import { RateLimitError } from './rate-limit-error.js';

/** The limits of one quota. */
export interface QuotaOptions {
  /** The most calls that may start in any sliding window of `intervalMs`, measured at dispatch. */
  limit: number;
  /** The window length in milliseconds, for example `1000` for a per-second quota. */
  intervalMs: number;
  /**
   * The most calls that may start back to back. The default lets the whole `limit` start at once and keeps a
   * sliding-window log (8 bytes per slot per key). A smaller value selects GCRA: calls are spaced evenly at
   * `(limit - burst + 1)` per window in steady state with one number of state per key, and no window ever holds
   * more than `limit`.
   * @default limit
   */
  burst?: number;
  /** The most calls of one key in flight at once in this process (released when the call settles). @default Infinity */
  concurrency?: number;
}

/** New limits for a running limiter. Waiters are re-checked at once. */
export interface QuotaUpdate {
  /** The new number of starts per window. @default the current limit */
  limit?: number;
  /** The new window length in milliseconds. @default the current window */
  intervalMs?: number;
}

/** Options common to every call that waits for a turn. */
export interface AcquireOptions {
  /** Stops waiting: the promise rejects with `signal.reason` and no start is counted. */
  signal?: AbortSignal;
  /**
   * How many starts the call counts as, for calls that weigh more than one (for example a batch).
   * @default 1
   */
  cost?: number;
}

/** Checks quota options and turns them into the engine's mutable quota. */
export function toQuota(options: QuotaOptions, name = 'quota'): Quota {
  if (typeof options !== 'object' || options === null)
    throw new RateLimitError('INVALID_OPTIONS', `${name}: options are required`);
  const { limit, intervalMs, burst, concurrency = Number.POSITIVE_INFINITY } = options;
  checkLimit(limit, name);
  checkInterval(intervalMs, name);
  if (burst !== undefined && (!Number.isInteger(burst) || burst < 1)) {
    throw new RateLimitError('INVALID_OPTIONS', `${name}: burst must be a positive integer, got ${burst}`);
  }
  if (concurrency !== Number.POSITIVE_INFINITY && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new RateLimitError(
      'INVALID_OPTIONS',
      `${name}: concurrency must be a positive integer or Infinity, got ${concurrency}`,
    );
  }
  return {
    limit,
    intervalMs,
    requestedBurst: burst,
    burst: Math.min(burst ?? limit, limit),
    concurrency,
  };
}

/** Applies an update in place; the engine then re-checks its waiters. */
export function updateQuota(quota: Quota, update: QuotaUpdate, name = 'quota'): void {
  const { limit = quota.limit, intervalMs = quota.intervalMs } = update;
  checkLimit(limit, name);
  checkInterval(intervalMs, name);
  quota.limit = limit;
  quota.intervalMs = intervalMs;
  quota.burst = Math.min(quota.requestedBurst ?? limit, limit);
}

function checkLimit(limit: unknown, name: string): asserts limit is number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw new RateLimitError(
      'INVALID_OPTIONS',
      `${name}: limit must be a positive integer, got ${String(limit)}`,
    );
  }
}

function checkInterval(intervalMs: unknown, name: string): asserts intervalMs is number {
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new RateLimitError(
      'INVALID_OPTIONS',
      `${name}: intervalMs must be a positive number of milliseconds, got ${String(intervalMs)}`,
    );
  }
}
