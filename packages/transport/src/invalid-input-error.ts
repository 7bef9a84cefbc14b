import { TransportError, type TransportErrorOptions } from './transport-error.js';

const inputMarker = Symbol.for('@x/transport.invalid-input-error');

/** Options of an {@link InvalidInputError}. */
export interface InvalidInputErrorOptions extends TransportErrorOptions {
  /**
   * Whether a retry could succeed: false for bad input, true only for `FILE_CHANGED`, which a retry that reopens the
   * file sends whole. @default false
   */
  isRetryable?: boolean;
  /** The local file the error is about, when there is one. @default undefined */
  path?: string;
}

/**
 * Bad input caught before a byte was sent: a file that cannot be read, a body that cannot be signed, a size that
 * does not match, an option that fails its schema. The `code` is given by the thrower, e.g. `FILE_TOO_LARGE` or
 * `INVALID_FILE_NAME`. Never retryable: the same input fails the same way.
 *
 * @example
 * ```ts
 * throw new InvalidInputError('FILE_TOO_LARGE', `report.pdf is 120 MB; the limit is 100 MB`, { path: 'report.pdf' })
 * ```
 */
export class InvalidInputError extends TransportError {
  /** The local file the error is about, when there is one. */
  readonly path: string | undefined;

  constructor(code: string, message: string, options: InvalidInputErrorOptions = {}) {
    super(code, message, {
      delivery: 'not-delivered',
      ...options,
      isRetryable: options.isRetryable ?? false,
    });
    this.name = 'InvalidInputError';
    this.path = options.path;
    Object.defineProperty(this, inputMarker, { value: true });
  }

  /** True for an `InvalidInputError` from any copy of this package. */
  static override isInstance(value: unknown): value is InvalidInputError {
    return TransportError.isInstance(value) && inputMarker in value;
  }

  protected override details(): Record<string, unknown> {
    return this.path === undefined ? {} : { path: this.path };
  }
}
