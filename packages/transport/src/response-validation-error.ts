import { TransportError, type TransportErrorOptions } from './transport-error.js';

/** Options of a {@link ResponseValidationError}. */
export interface ResponseValidationErrorOptions extends TransportErrorOptions {
  /** The HTTP status of the response that did not validate. */
  status?: number;
  /** The request id of that response. */
  requestId?: string;
}

/**
 * A successful response whose body was not what the schema (or JSON) expects. The request reached the server and
 * was done, so it is never retried.
 *
 * @example
 * ```ts
 * if (ResponseValidationError.isInstance(error)) console.error(error.message, error.requestId)
 * ```
 */
export class ResponseValidationError extends TransportError {
  /** The HTTP status of the response. */
  readonly status: number | undefined;
  /** The request id of the response, when known. */
  readonly requestId: string | undefined;

  constructor(message: string, options: ResponseValidationErrorOptions = {}) {
    super('RESPONSE_VALIDATION', message, { delivery: 'answered', ...options });
    this.name = 'ResponseValidationError';
    this.status = options.status;
    this.requestId = options.requestId;
  }

  /** True for a `ResponseValidationError` from any copy of this package. */
  static override isInstance(value: unknown): value is ResponseValidationError {
    return TransportError.isInstance(value) && value.code === 'RESPONSE_VALIDATION';
  }

  protected override details(): Record<string, unknown> {
    return { status: this.status, requestId: this.requestId };
  }
}
