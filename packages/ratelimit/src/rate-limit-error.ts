/** Why a limiter refused or failed an acquisition. */
export type RateLimitErrorCode =
  /** The limiter was closed while the call waited, or before it asked. */
  | 'LIMITER_CLOSED'
  /** The shared store (Redis) could not be reached, refused the script, or did not answer in time. */
  | 'STORE_UNAVAILABLE'
  /** The shared store answered something the limiter does not understand. */
  | 'STORE_REPLY_INVALID'
  /** Options, a `cost` or a selection that cannot be used: a negative limit, a cost over the burst, an empty selection. */
  | 'INVALID_OPTIONS'
  /**
   * A key or selection names no quota of a quota limiter (a string key reads `"<quota>:<key>"`, e.g.
   * `"applyFileUploadLease:<account>"`). Thrown before anything is counted.
   */
  | 'UNKNOWN_QUOTA';

const marker = Symbol.for('@x/ratelimit.error');
const storeMarker = Symbol.for('@x/ratelimit.store-error');

/**
 * A rate limiter could not admit a call for a reason other than an abort. Aborts reject with `signal.reason`
 * as it is, never with this class.
 *
 * @example
 * ```ts
 * try { await limiter.acquire('account-1') } catch (error) {
 *   if (RateLimitError.isInstance(error) && error.code === 'LIMITER_CLOSED') return;
 *   throw error;
 * }
 * ```
 */
export class RateLimitError extends Error {
  /** Stable, machine-readable reason. */
  readonly code: RateLimitErrorCode;

  constructor(code: RateLimitErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'RateLimitError';
    this.code = code;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for a `RateLimitError` (or subclass) from any copy of this package. */
  static isInstance(value: unknown): value is RateLimitError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

/**
 * The shared store failed: the connection is down, the command timed out, or the reply was malformed.
 * With `onError: 'fail-closed'` (the default of the Redis store) calls reject with this error; with a local
 * fallback they go on under a local share of the quota and the error is only reported to `onStoreError`.
 *
 * @example
 * ```ts
 * const store = createRedisStore({ client, onStoreError: (error) => log.warn(error.code, error.message) });
 * ```
 */
export class RateLimitStoreError extends RateLimitError {
  /** Which store operation failed. */
  readonly operation: 'acquire' | 'restamp' | 'release' | 'penalize';

  constructor(
    code: Extract<RateLimitErrorCode, 'STORE_UNAVAILABLE' | 'STORE_REPLY_INVALID'>,
    message: string,
    options: { operation: 'acquire' | 'restamp' | 'release' | 'penalize'; cause?: unknown },
  ) {
    super(code, message, { cause: options.cause });
    this.name = 'RateLimitStoreError';
    this.operation = options.operation;
    Object.defineProperty(this, storeMarker, { value: true });
  }

  /** True for a `RateLimitStoreError` from any copy of this package. */
  static override isInstance(value: unknown): value is RateLimitStoreError {
    return typeof value === 'object' && value !== null && storeMarker in value;
  }
}
