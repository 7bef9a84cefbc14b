/** How failed attempts are retried. */
export interface RetryOptions {
  /** Attempts in all, the first included. @default 3 */
  maxAttempts?: number;
  /** The first backoff ceiling; it doubles per retry (full jitter picks a delay below it). @default 500 */
  baseDelayMs?: number;
  /** The highest backoff ceiling. @default 8000 */
  maxDelayMs?: number;
  /**
   * A budget for the whole call (attempts and waits), in milliseconds: no retry starts whose wait would end after
   * it. @default undefined (no deadline)
   */
  deadlineMs?: number;
  /** A `Retry-After` longer than this is not waited for: the backoff delay is used instead. @default 60000 */
  maxRetryAfterMs?: number;
}

/** Retry options with every default applied. @internal */
export type RetryPolicy = Required<Omit<RetryOptions, 'deadlineMs'>> & { deadlineMs: number | undefined };

/** Applies the defaults; `false` means one attempt. @internal */
export function retryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  const policy: RetryPolicy = {
    maxAttempts: 3,
    baseDelayMs: 500,
    maxDelayMs: 8000,
    deadlineMs: undefined,
    maxRetryAfterMs: 60_000,
    ...(options || {}),
  };
  if (options === false) policy.maxAttempts = 1;
  policy.maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  return policy;
}

/**
 * The wait before retry number `retry` (1 for the first retry): the server's `Retry-After` when it gave one
 * within `maxRetryAfterMs`, else exponential backoff with full jitter, capped at `maxDelayMs`.
 *
 * @internal
 */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0 && retryAfterMs <= policy.maxRetryAfterMs)
    return retryAfterMs;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Reads how long the server asks us to wait: `retry-after-ms` first, then `Retry-After` in seconds or as an HTTP
 * date. Undefined when absent or unreadable.
 *
 * @internal
 */
export function parseRetryAfterMs(
  headers: Readonly<Record<string, string>>,
  nowMs: number = Date.now(),
): number | undefined {
  const milliseconds = headers['retry-after-ms'];
  if (milliseconds !== undefined && milliseconds.trim() !== '') {
    const value = Number(milliseconds);
    if (Number.isFinite(value) && value >= 0) return Math.ceil(value);
  }
  const retryAfter = headers['retry-after']?.trim();
  if (!retryAfter) return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
