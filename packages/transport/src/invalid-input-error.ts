import { TransportError, type TransportErrorOptions } from './transport-error.js';

const inputMarker = Symbol.for('@x/transport.invalid-input-error');

/**
 * Bad input caught before a byte was sent: a file that cannot be read, a body that cannot be signed, a size that
 * does not match. The `code` is given by the thrower, e.g. `FILE_TOO_LARGE` or `INVALID_FILE_NAME`.
 *
 * @example
 * ```ts
 * throw new InvalidInputError('FILE_TOO_LARGE', `report.pdf is 120 MB; the limit is 100 MB`)
 * ```
 */
export class InvalidInputError extends TransportError {
  constructor(code: string, message: string, options: TransportErrorOptions = {}) {
    super(code, message, { ...options, isRetryable: false });
    this.name = 'InvalidInputError';
    Object.defineProperty(this, inputMarker, { value: true });
  }

  /** True for an `InvalidInputError` from any copy of this package. */
  static override isInstance(value: unknown): value is InvalidInputError {
    return TransportError.isInstance(value) && inputMarker in value;
  }
}
