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
  /**
   * A server wait (`retry-after-ms`, Bailian's `x-acs-retry-after`, `Retry-After`) longer than this is not waited for:
   * the backoff delay is used instead. @default 60000
   */
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
 * The wait before retry number `retry` (1 for the first retry): the server's wait (`parseRetryAfterMs`) when it gave one
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
 * Reads how long the server asks us to wait, in milliseconds: `retry-after-ms` first (the OpenAI SDK's header,
 * specs/openai-files.md: "`retry-after-ms`, then `Retry-After`"), then Bailian's `x-acs-retry-after` in milliseconds
 * (specs/bailian-data-api.md §7: the official SDK's `ThrottlingError.retryAfter` is this header, which
 * `@alicloud/openapi-core` reads as an integer and sleeps that many milliseconds), then `Retry-After` in seconds or as
 * an HTTP date. A header that is absent or unreadable is skipped. Undefined when none can be read.
 *
 * @internal
 */
export function parseRetryAfterMs(
  headers: Readonly<Record<string, string>>,
  nowMs: number = Date.now(),
): number | undefined {
  for (const name of ['retry-after-ms', 'x-acs-retry-after']) {
    const milliseconds = headers[name]?.trim();
    if (milliseconds === undefined || !/^\d+(\.\d+)?$/.test(milliseconds)) continue;
    return Math.ceil(Number(milliseconds));
  }
  const retryAfter = headers['retry-after']?.trim();
  if (!retryAfter) return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
