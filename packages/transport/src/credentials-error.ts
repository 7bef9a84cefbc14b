import { TransportError, type TransportErrorOptions } from './transport-error.js';

/** Options of a {@link CredentialsError}. */
export interface CredentialsErrorOptions extends TransportErrorOptions {
  /** The environment variables and files that were looked at, in order. */
  lookedAt: readonly string[];
}

/**
 * No credential was found. The message and `lookedAt` name every variable and file that was tried, never a value.
 *
 * @example
 * ```ts
 * if (CredentialsError.isInstance(error)) console.error(`set one of ${error.lookedAt.join(', ')}`)
 * ```
 */
export class CredentialsError extends TransportError {
  /** The environment variables and files that were looked at, in order. */
  readonly lookedAt: readonly string[];

  constructor(message: string, options: CredentialsErrorOptions) {
    super('CREDENTIALS_MISSING', message, { delivery: 'not-delivered', ...options, isRetryable: false });
    this.name = 'CredentialsError';
    this.lookedAt = options.lookedAt;
  }

  /** True for a `CredentialsError` from any copy of this package. */
  static override isInstance(value: unknown): value is CredentialsError {
    return TransportError.isInstance(value) && value.code === 'CREDENTIALS_MISSING';
  }

  protected override details(): Record<string, unknown> {
    return { lookedAt: this.lookedAt };
  }
}
