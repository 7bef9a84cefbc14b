import { TransportError, type TransportErrorOptions } from './transport-error.js';

/** Options of an {@link HttpStatusError}. */
export interface HttpStatusErrorOptions extends TransportErrorOptions {
  /** The HTTP status code. */
  status: number;
  /** The service's own error code, e.g. `Throttling.RateQuota`. */
  serviceCode?: string;
  /** The request id from the response headers or body. */
  requestId?: string;
  /** The start of the response body, redacted. */
  body?: string;
  /** Milliseconds the server asked us to wait (`retry-after-ms`, Bailian's `x-acs-retry-after` in ms, `Retry-After`). */
  retryAfterMs?: number;
  /** The `Location` header of a redirect, redacted. */
  location?: string;
}

/**
 * The server answered with a status other than the call's documented success: 400 or above, a redirect (3xx, never
 * followed: `location` names where it pointed), or a 2xx the call does not expect. Service codes are data: compare `serviceCode`, there is no
 * class per code.
 *
 * @example
 * ```ts
 * if (HttpStatusError.isInstance(error) && error.serviceCode === 'Throttling.RateQuota') await later()
 * ```
 */
export class HttpStatusError extends TransportError {
  /** The HTTP status code. */
  readonly status: number;
  /** The service's error code (`Code`, `code` or `error.code` in the body), when it sent one. */
  readonly serviceCode: string | undefined;
  /** The request id (`x-request-id` / `x-acs-request-id` headers, `RequestId` / `request_id` in the body). */
  readonly requestId: string | undefined;
  /** The start of the response body (at most 4 KiB), with credentials redacted. */
  readonly body: string | undefined;
  /** Milliseconds the server asked us to wait before retrying, when it said. */
  readonly retryAfterMs: number | undefined;
  /** The `Location` of a redirect (redacted), when the status was one. */
  readonly location: string | undefined;

  constructor(message: string, options: HttpStatusErrorOptions) {
    super('HTTP_STATUS', message, { delivery: 'answered', ...options });
    this.name = 'HttpStatusError';
    this.status = options.status;
    this.serviceCode = options.serviceCode;
    this.requestId = options.requestId;
    this.body = options.body;
    this.retryAfterMs = options.retryAfterMs;
    this.location = options.location;
  }

  /** True for an `HttpStatusError` from any copy of this package. */
  static override isInstance(value: unknown): value is HttpStatusError {
    return TransportError.isInstance(value) && value.code === 'HTTP_STATUS';
  }

  protected override details(): Record<string, unknown> {
    return {
      status: this.status,
      serviceCode: this.serviceCode,
      requestId: this.requestId,
      retryAfterMs: this.retryAfterMs,
      body: this.body,
      ...(this.location === undefined ? {} : { location: this.location }),
    };
  }
}
