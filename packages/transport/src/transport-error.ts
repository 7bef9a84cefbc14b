import { redactText } from './redact.js';

const marker = Symbol.for('@x/transport.error');

/** Stable, machine-readable kinds of transport failure. Thrower-given codes extend this set. */
export type TransportErrorCode =
  | 'HTTP_STATUS'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'RESPONSE_VALIDATION'
  | 'RETRIES_EXHAUSTED'
  | 'CREDENTIALS_MISSING'
  | (string & {});

/**
 * Whether the service may have acted on the request, for a caller deciding what to do next:
 * - `not-delivered`: the service provably did not receive a complete request (nothing was sent, the connection or a
 *   proxy tunnel was never usable, or the body was cut short by its own source): sending it again is safe even for a
 *   call that is not idempotent;
 * - `unknown`: the request may or may not have reached the service (a reset or a timeout after sending);
 * - `answered`: the service answered (an HTTP status, or a body that did not parse).
 */
export type Delivery = 'not-delivered' | 'unknown' | 'answered';

/** Options shared by every transport error. */
export interface TransportErrorOptions {
  /** Whether the service may have acted on the request. @default 'unknown' */
  delivery?: Delivery;
  /** True when an earlier attempt of the same request may or may not have reached the service. @default false */
  hasAmbiguousAttempt?: boolean;
  /** The underlying error, kept for debugging. Never carries a credential. */
  cause?: unknown;
  /** Whether sending the same request again could succeed. @default false */
  isRetryable?: boolean;
  /** The operation name given to `request`, e.g. `ApplyFileUploadLease`. */
  operation?: string;
  /** How many attempts were made before this error. @default 1 */
  attempts?: number;
  /** Total time spent waiting between attempts, in milliseconds. @default 0 */
  totalDelayMs?: number;
}

/**
 * Base class of every error this package throws. Carries a stable `code`, whether a retry could help, the
 * underlying `cause`, and how many attempts were made. Messages, `cause` summaries and `toJSON()` never contain a
 * credential.
 *
 * @example
 * ```ts
 * try { await transport.request({ method: 'GET', path: '/files' }) } catch (error) {
 *   if (TransportError.isInstance(error) && error.code === 'HTTP_STATUS') console.error(error.message)
 * }
 * ```
 */
export class TransportError extends Error {
  /** Stable, machine-readable kind (SCREAMING_SNAKE). */
  readonly code: TransportErrorCode;
  /** Whether sending the same request again could succeed. */
  readonly isRetryable: boolean;
  /** The operation name given to `request`, when there was one. */
  readonly operation: string | undefined;
  /** How many attempts were made (1 when the request was not retried). */
  attempts: number;
  /** Total time spent waiting between attempts, in milliseconds. */
  totalDelayMs: number;
  /** Whether the service may have acted on the request (`not-delivered`, `unknown` or `answered`: see the `Delivery` type). */
  readonly delivery: Delivery;
  /**
   * True when an earlier attempt of this request may or may not have reached the service, so a later "already
   * exists" answer can mean that attempt landed.
   */
  hasAmbiguousAttempt: boolean;

  constructor(code: TransportErrorCode, message: string, options: TransportErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TransportError';
    this.code = code;
    this.isRetryable = options.isRetryable ?? false;
    this.operation = options.operation;
    this.attempts = options.attempts ?? 1;
    this.totalDelayMs = options.totalDelayMs ?? 0;
    this.delivery = options.delivery ?? 'unknown';
    this.hasAmbiguousAttempt = options.hasAmbiguousAttempt ?? false;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for an error from any copy of this package, whatever its subclass. */
  static isInstance(value: unknown): value is TransportError {
    return typeof value === 'object' && value !== null && marker in value;
  }

  /** A plain, log-safe object: name, code, message, retry facts, subclass fields and a summary of the cause. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      message: this.message,
      isRetryable: this.isRetryable,
      attempts: this.attempts,
      totalDelayMs: this.totalDelayMs,
      delivery: this.delivery,
    };
    if (this.hasAmbiguousAttempt) json.hasAmbiguousAttempt = true;
    if (this.operation !== undefined) json.operation = this.operation;
    Object.assign(json, this.details());
    if (this.cause !== undefined) json.cause = summarizeCause(this.cause);
    return json;
  }

  /** Subclass fields for `toJSON()`. @internal */
  protected details(): Record<string, unknown> {
    return {};
  }
}

/** A log-safe summary of a cause: its name, code and redacted message. @internal */
export function summarizeCause(cause: unknown): Record<string, unknown> {
  if (TransportError.isInstance(cause)) return cause.toJSON();
  if (cause instanceof Error) {
    const summary: Record<string, unknown> = { name: cause.name, message: redactText(cause.message) };
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') summary.code = code;
    return summary;
  }
  return { message: redactText(String(cause)) };
}
