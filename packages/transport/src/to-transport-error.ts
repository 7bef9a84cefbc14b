import { ConfigurationError } from './configuration-error.js';
import { InvalidInputError } from './invalid-input-error.js';
import { NetworkError } from './network-error.js';
import { redactText } from './redact.js';
import { TimeoutError } from './timeout-error.js';
import { TransportError } from './transport-error.js';

/** Error codes that mean no byte of the request reached the server. */
const connectCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** TLS failures: the certificate or the protocol, known before any byte of the request is sent. */
const tlsCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UND_ERR_PRX_TLS',
]);

/** What the caller is told about delivery, at the end of a network error's message. */
const notDelivered = 'nothing was sent: safe to retry';
const mayHaveReached = 'the request may or may not have reached the service';

/** Context for turning a low-level failure into a transport error. @internal */
export interface ErrorContext {
  /** `METHOD /path`, secret-free. */
  label: string;
  /** The operation name, when given. */
  operation: string | undefined;
  /** Secrets of this attempt, to redact. */
  secrets: readonly string[];
  /** The timeouts in force, for messages. */
  headersMs: number;
  /** The stall timeout, for messages. */
  stallMs: number;
  /** The connect timeout, for messages. */
  connectMs: number;
}

/**
 * Maps whatever an attempt threw (an undici error, a socket error, a body read error) to a transport error with a
 * redacted message and cause. Transport errors pass through unchanged.
 *
 * @internal
 */
export function toTransportError(error: unknown, context: ErrorContext): TransportError {
  if (TransportError.isInstance(error)) return error;
  const { label, operation, secrets } = context;
  const code = findCode(error);
  const message = redactText(error instanceof Error ? error.message : String(error), secrets);
  const cause = safeCause(error, secrets);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new TimeoutError(
      `${label}: no usable connection within timeouts.connectMs = ${context.connectMs} ms (phase connect; ${notDelivered})`,
      { phase: 'connect', timeoutMs: context.connectMs, cause, operation },
    );
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new TimeoutError(
      `${label}: no response headers within timeouts.headersMs = ${context.headersMs} ms (phase headers; ${mayHaveReached})`,
      { phase: 'headers', timeoutMs: context.headersMs, cause, operation },
    );
  }
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return new TimeoutError(
      `${label}: the response body stalled for timeouts.stallMs = ${context.stallMs} ms (phase stall; ${mayHaveReached})`,
      { phase: 'stall', timeoutMs: context.stallMs, cause, operation },
    );
  }
  if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
    return new InvalidInputError('BODY_SIZE_MISMATCH', `${label}: the body did not have its declared size`, {
      cause,
      operation,
    });
  }
  if (code === 'UND_ERR_NOT_SUPPORTED') {
    return new InvalidInputError(
      'HEADER_NOT_SUPPORTED',
      `${label}: the HTTP client refuses this request as written (${message}); nothing was sent, and it is not retried`,
      { cause, operation },
    );
  }
  if (code === 'UND_ERR_INVALID_ARG' || error instanceof TypeError) {
    return new InvalidInputError('INVALID_REQUEST', `${label}: ${message} (nothing was sent)`, {
      cause,
      operation,
    });
  }
  if (
    code !== undefined &&
    (tlsCodes.has(code) || /^ERR_(TLS|SSL)_/.test(code) || code.startsWith('ERR_OSSL'))
  ) {
    return new ConfigurationError(
      'TLS_CERTIFICATE',
      `${label}: the TLS connection could not be verified (${code}: ${message}); nothing was sent, and it is not retried: check the endpoint's host name and certificate, or trust its CA with NODE_EXTRA_CA_CERTS`,
      { cause, operation },
    );
  }
  const syscall = (error as { syscall?: unknown } | undefined)?.syscall;
  const isConnectError = (code !== undefined && connectCodes.has(code)) || syscall === 'getaddrinfo';
  return new NetworkError(
    isConnectError
      ? `${label}: could not connect (${code ?? message}; ${notDelivered})`
      : `${label}: connection failed (${code ?? message}; ${mayHaveReached})`,
    { isConnectError, cause, operation },
  );
}

function findCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The error itself when its message holds no secret, else a redacted copy with the same name and code. */
function safeCause(error: unknown, secrets: readonly string[]): unknown {
  if (!(error instanceof Error)) return redactText(String(error), secrets);
  const message = redactText(error.message, secrets);
  if (message === error.message) return error;
  const copy = new Error(message);
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) Object.assign(copy, { code });
  return copy;
}
