import type { RequestBody } from './request-body.js';

/** What an auth strategy sees of a request attempt, after the transport has built it. */
export interface AuthRequest {
  /** The HTTP method. */
  readonly method: string;
  /** The host header value (with the port when it is not the default). */
  readonly host: string;
  /** The request path as sent on the wire (percent-encoded), without the query. */
  readonly pathname: string;
  /** The query parameters, decoded, keys in their exact case. */
  readonly query: Readonly<Record<string, string>>;
  /** The headers that will be sent, names in lowercase. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, when there is one. */
  readonly body: RequestBody | undefined;
  /** Aborts credential look-ups and payload hashing. */
  readonly signal?: AbortSignal;
}

/** Headers an auth strategy adds to one attempt, and the secrets to redact from anything printed about it. */
export interface Authorization {
  /** Headers to add (lowercase names). */
  readonly headers: Record<string, string>;
  /** Secret strings (keys, tokens, signatures) that must never appear in an error or a log line. */
  readonly secrets: readonly string[];
}

/**
 * How requests are authenticated: `bearer(apiKey)`, `acs3(credentials)` or `none()`. Called once per attempt, so
 * signatures are always fresh.
 */
export interface AuthStrategy {
  /** A short name for logs: `bearer`, `acs3`, `none`. */
  readonly name: string;
  /** Returns the headers that authenticate this attempt. */
  authorize(request: AuthRequest): Promise<Authorization>;
}
