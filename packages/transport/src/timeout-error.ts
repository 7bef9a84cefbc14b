import { TransportError, type TransportErrorOptions } from './transport-error.js';

/**
 * Which timer fired: connecting (TCP, TLS and any proxy tunnel), waiting for response headers, no progress on the
 * body, or a poll that did not reach its end state in time.
 */
export type TimeoutPhase = 'connect' | 'headers' | 'stall' | 'poll';

/** Options of a {@link TimeoutError}. */
export interface TimeoutErrorOptions extends TransportErrorOptions {
  /** Which timer fired. */
  phase: TimeoutPhase;
  /** The limit that was exceeded, in milliseconds. */
  timeoutMs?: number;
}

/**
 * A timer of the transport fired. `phase` says which: `connect` (no connection), `headers` (no response headers
 * after the request was sent) or `stall` (no upload or download progress). There is no overall timer, so a slow but
 * healthy upload never fails.
 *
 * @example
 * ```ts
 * if (TimeoutError.isInstance(error) && error.phase === 'stall') console.error('the server stopped reading')
 * ```
 */
export class TimeoutError extends TransportError {
  /** Which timer fired. */
  readonly phase: TimeoutPhase;
  /** The limit that was exceeded, in milliseconds, when known. */
  readonly timeoutMs: number | undefined;

  constructor(message: string, options: TimeoutErrorOptions) {
    super('TIMEOUT', message, {
      isRetryable: true,
      delivery: options.phase === 'connect' ? 'not-delivered' : 'unknown',
      ...options,
    });
    this.name = 'TimeoutError';
    this.phase = options.phase;
    this.timeoutMs = options.timeoutMs;
  }

  /** True for a `TimeoutError` from any copy of this package. */
  static override isInstance(value: unknown): value is TimeoutError {
    return TransportError.isInstance(value) && value.code === 'TIMEOUT';
  }

  protected override details(): Record<string, unknown> {
    return { phase: this.phase, timeoutMs: this.timeoutMs };
  }
}
