import { TransportError, type TransportErrorOptions } from './transport-error.js';

/** Options of a {@link NetworkError}. */
export interface NetworkErrorOptions extends TransportErrorOptions {
  /** True when the request provably never reached the server (connection refused, DNS failure). @default false */
  isConnectError?: boolean;
}

/**
 * The connection failed: refused, reset, closed early, or a DNS failure. `isConnectError` tells whether the
 * request provably never reached the server, which makes even a non-idempotent call safe to send again.
 *
 * @example
 * ```ts
 * if (NetworkError.isInstance(error) && error.isConnectError) console.error('server is down')
 * ```
 */
export class NetworkError extends TransportError {
  /** True when no byte of the request reached the server. */
  readonly isConnectError: boolean;

  constructor(message: string, options: NetworkErrorOptions = {}) {
    super('NETWORK', message, {
      isRetryable: true,
      delivery: options.isConnectError ? 'not-delivered' : 'unknown',
      ...options,
    });
    this.name = 'NetworkError';
    this.isConnectError = options.isConnectError ?? false;
  }

  /** True for a `NetworkError` from any copy of this package. */
  static override isInstance(value: unknown): value is NetworkError {
    return TransportError.isInstance(value) && value.code === 'NETWORK';
  }

  protected override details(): Record<string, unknown> {
    return { isConnectError: this.isConnectError };
  }
}
