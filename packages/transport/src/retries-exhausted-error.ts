import { TransportError } from './transport-error.js';

/** Options of a {@link RetriesExhaustedError}. */
export interface RetriesExhaustedErrorOptions {
  /** The error of the last attempt. */
  cause: TransportError;
  /** How many attempts were made. */
  attempts: number;
  /** Total time spent waiting between attempts, in milliseconds. */
  totalDelayMs: number;
  /** The operation name given to `request`. */
  operation?: string;
}

/**
 * Every attempt allowed by the retry policy (count or deadline) failed with a retryable error. `cause` is the last
 * attempt's error; `attempts` and `totalDelayMs` say how hard we tried.
 *
 * @example
 * ```ts
 * if (RetriesExhaustedError.isInstance(error)) console.error(error.attempts, error.cause)
 * ```
 */
export class RetriesExhaustedError extends TransportError {
  /** The error of the last attempt. */
  declare readonly cause: TransportError;

  constructor(message: string, options: RetriesExhaustedErrorOptions) {
    super('RETRIES_EXHAUSTED', message, {
      ...options,
      isRetryable: false,
      delivery: options.cause.hasAmbiguousAttempt ? 'unknown' : options.cause.delivery,
      hasAmbiguousAttempt: options.cause.hasAmbiguousAttempt,
    });
    this.name = 'RetriesExhaustedError';
  }

  /** True for a `RetriesExhaustedError` from any copy of this package. */
  static override isInstance(value: unknown): value is RetriesExhaustedError {
    return TransportError.isInstance(value) && value.code === 'RETRIES_EXHAUSTED';
  }
}
