/**
 * A client-side rate limiter, consulted before every attempt of a request that has a `limitKey`. Implemented
 * structurally by `@x/ratelimit`; any object with this shape works.
 */
export interface Limiter {
  /**
   * Waits until one more call under `key` is allowed. May return a function to call when the attempt is over (for
   * concurrency limits).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: `async acquire() {}` (Promise<void>) must satisfy this shape.
  acquire(key: string, options?: { signal?: AbortSignal; cost?: number }): Promise<void | (() => void)>;
  /** Told when the server answered 429 with a `Retry-After`, so other callers under `key` wait too. */
  penalize?(key: string, retryAfterMs: number): void;
}

/** Where the transport writes what it does. Every field is optional; lines never carry a secret. */
export interface Logger {
  /** Each attempt and its outcome. */
  debug?(message: string, fields?: Record<string, unknown>): void;
  /** Rarely used by the transport. */
  info?(message: string, fields?: Record<string, unknown>): void;
  /** A retry, with its reason and delay. */
  warn?(message: string, fields?: Record<string, unknown>): void;
  /** A request that failed for good. */
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** The timers of a request. There is deliberately no overall timer: a slow but healthy upload never fails. */
export interface TimeoutOptions {
  /**
   * Time to open a connection (TCP and TLS). Applies to the dispatcher the transport builds; a dispatcher passed in
   * keeps its own connect timeout. @default 10000
   */
  connectMs?: number;
  /** Time to wait for the response headers once the request body has been sent. @default 60000 */
  headersMs?: number;
  /** Time without upload or download progress before the attempt fails. @default 30000 */
  stallMs?: number;
}
