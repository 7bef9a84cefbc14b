import { STATUS_CODES } from 'node:http';
import { Agent, Client, type Dispatcher, EnvHttpProxyAgent, Pool } from 'undici';
import type { ZodType } from 'zod';
import type { AuthStrategy } from './auth-strategy.js';
import { HttpStatusError } from './http-status-error.js';
import { InvalidInputError } from './invalid-input-error.js';
import type { Limiter, Logger, TimeoutOptions } from './limiter.js';
import { NetworkError } from './network-error.js';
import { none } from './none.js';
import { redactText } from './redact.js';
import type { OpenedBody, RequestBody } from './request-body.js';
import { type RequestTarget, requestTarget } from './request-target.js';
import { ResponseValidationError } from './response-validation-error.js';
import { RetriesExhaustedError } from './retries-exhausted-error.js';
import {
  parseRetryAfterMs,
  type RetryOptions,
  type RetryPolicy,
  retryDelayMs,
  retryPolicy,
} from './retry-policy.js';
import { bodyRequestId, readServiceError } from './service-error.js';
import { TimeoutError } from './timeout-error.js';
import { type ErrorContext, toTransportError } from './to-transport-error.js';
import { TransportError } from './transport-error.js';

/** HTTP methods the transport sends. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD' | 'PATCH';

/**
 * Upload progress in the file's own bytes: for a multipart form, the bytes of its file parts handed to the socket,
 * out of the files' size (never the form's envelope); for any other body, the body's bytes out of its exact size.
 */
export interface UploadProgress {
  /** Bytes of the file handed to the socket in this attempt. */
  loadedBytes: number;
  /** The file's exact size (for a multipart form, the sum of its file parts), when there is a body. */
  totalBytes: number | undefined;
}

/** Options of {@link createTransport}. */
export interface TransportOptions {
  /** Where relative request paths go, e.g. `https://dashscope.aliyuncs.com`; may carry a path prefix. */
  baseUrl: string;
  /**
   * Any undici `Dispatcher` (a `MockAgent` in tests, a shared `Agent`, a `ProxyAgent`). It is not closed by
   * `close()`. @default a lazily built `Agent`, or `EnvHttpProxyAgent` when `HTTPS_PROXY` / `HTTP_PROXY` is set
   */
  dispatcher?: Dispatcher;
  /** How requests are authenticated: `bearer(...)`, `acs3(...)` or `none()`. @default none() */
  auth?: AuthStrategy;
  /** Retry policy, or `false` for a single attempt. @default { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 8000 } */
  retry?: RetryOptions | false;
  /** Connect, response-headers and stall timers. @default { connectMs: 10000, headersMs: 60000, stallMs: 30000 } */
  timeouts?: TimeoutOptions;
  /** A rate limiter consulted before every attempt of a request with a `limitKey`. @default undefined */
  limiter?: Limiter;
  /** A product token put first in the `User-Agent`, e.g. `x-temp-oss/1.2.0`. @default undefined */
  userAgent?: string;
  /** Where attempts and retries are logged; lines never carry a secret. @default undefined (silent) */
  logger?: Logger;
}

/** One request. */
export interface RequestOptions<T = unknown> {
  /** The HTTP method. */
  method: HttpMethod;
  /** A path relative to `baseUrl`, or an absolute URL (a pre-signed URL is sent byte for byte). */
  path: string;
  /** Query parameters appended to the path; keys keep their exact case, `undefined` values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Extra headers (names are sent in lower case). */
  headers?: Record<string, string>;
  /** The body: `jsonBody`, `formBody`, `bytesBody`, `fileBody`, `streamBody` or `multipartBody`. */
  body?: RequestBody;
  /** Whether sending the request twice is harmless. @default true for GET, HEAD, PUT and DELETE; false for POST and PATCH */
  idempotent?: boolean;
  /**
   * The statuses that mean success for this call; any other (a redirect, which is never followed, or an unexpected
   * 2xx) is an `HttpStatusError` naming the status and the `Location`. @default any 2xx
   */
  expectedStatus?: number | readonly number[];
  /** Retry a 429 even when not idempotent, for services that document that a throttled call did nothing. @default false */
  retryThrottled?: boolean;
  /** Authentication for this request only, e.g. `none()` for a pre-signed URL. @default the transport's `auth` */
  auth?: AuthStrategy;
  /** The limiter key for this request; without it the limiter is not consulted. @default undefined */
  limitKey?: string;
  /** A name for errors and logs, e.g. `ApplyFileUploadLease`. @default undefined */
  operation?: string;
  /**
   * How to read the response body. `stream` hands back the body unread as a Node `Readable` (for downloads): the
   * caller must read or destroy it; the request's `signal` and the stall timer keep applying while it is read, and
   * no `schema` is applied. @default 'json'
   */
  responseType?: 'json' | 'text' | 'bytes' | 'stream';
  /** Parses the response body; a mismatch throws `ResponseValidationError`. @default undefined (no parsing) */
  schema?: ZodType<T>;
  /**
   * Judges a response whose status the call accepts, after `schema`: returns a {@link BodyFailure} for a body that
   * reports a failure (the Bailian data API answers HTTP 200 with `Success: false`, specs/bailian-data-api.md §7), or
   * `undefined` to accept it. The failure is handled as a failed attempt, exactly as an HTTP error status would be:
   * retried with the same attempts, backoff and deadline as a 5xx when its error `isRetryable` and the call is
   * idempotent; when `isThrottled`, as a 429 (retried under `retryThrottled`, the limiter penalized by the response's
   * `Retry-After`). Not applied with `responseType: 'stream'`. @default undefined (every accepted status is a success)
   */
  rejectBody?(body: T, response: AcceptedResponse): BodyFailure | undefined;
  /** Aborts the request, its waits and its retries; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called as body bytes are handed to the socket, and once more when the response arrives. */
  onProgress?: (progress: UploadProgress) => void;
}

/** What {@link RequestOptions.rejectBody} sees of a response besides its body. */
export interface AcceptedResponse {
  /** The HTTP status. */
  status: number;
  /** Response headers, names in lower case. */
  headers: Record<string, string>;
  /** The request id from the headers or body, when the service sent one. */
  requestId: string | undefined;
}

/** A failure reported in the body of a response whose status the call accepts (see {@link RequestOptions.rejectBody}). */
export interface BodyFailure {
  /** The error thrown when the failure is final; its `isRetryable` says whether another attempt could succeed. */
  error: TransportError;
  /**
   * True when the service says it throttled the call and did nothing (a `Throttling` code): handled as a 429.
   * @default false
   */
  isThrottled?: boolean;
}

/** A successful response (a 2xx the call expects). */
export interface TransportResponse<T = unknown> {
  /** The HTTP status. */
  status: number;
  /** Response headers, names in lower case, repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body as `responseType` and `schema` made it (undefined for an empty JSON body). */
  body: T;
  /** The request id from the headers or body, when the service sent one. */
  requestId: string | undefined;
  /** How many attempts were made. */
  attempts: number;
  /** Total time spent waiting between attempts, in milliseconds. */
  totalDelayMs: number;
}

/** The HTTP layer every client uses: auth, retries, rate limiting, timeouts, typed errors, streamed bodies. */
export interface Transport {
  /**
   * Sends a request, retrying what is safe to retry.
   * @throws {@link HttpStatusError}, {@link NetworkError}, {@link TimeoutError}, {@link ResponseValidationError},
   * {@link RetriesExhaustedError}, {@link CredentialsError}, {@link InvalidInputError}; `signal.reason` when aborted.
   */
  request<T = unknown>(options: RequestOptions<T>): Promise<TransportResponse<T>>;
  /** Closes the dispatcher the transport built (never one that was passed in). */
  close(): Promise<void>;
}

const defaultTimeouts = { connectMs: 10_000, headersMs: 60_000, stallMs: 30_000 };
const retryableStatuses = new Set([408, 429, 500, 502, 503, 504]);
const errorBodyLimitBytes = 4096;
const idempotentMethods = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE']);
const ownUserAgent = `x-transport/${__PACKAGE_VERSION__} node/${process.versions.node}`;

/**
 * Creates the transport. Nothing global is touched: the dispatcher is the one passed in, or one built lazily at
 * the first request and closed by `close()`.
 *
 * @throws TypeError when `baseUrl` is not an http(s) URL.
 * @example
 * ```ts
 * const transport = createTransport({ baseUrl: 'https://bailian.cn-beijing.aliyuncs.com', auth: acs3() });
 * const { body } = await transport.request({
 *   method: 'GET',
 *   path: `/${workspaceId}/datacenter/file/${fileId}/`,
 *   headers: { 'x-acs-action': 'DescribeFile', 'x-acs-version': '2023-12-29' },
 *   operation: 'DescribeFile',
 *   schema: describeFileResponse,
 * });
 * ```
 */
export function createTransport(options: TransportOptions): Transport {
  requestTarget(options.baseUrl, '/');
  const policy = retryPolicy(options.retry);
  const timeouts = { ...defaultTimeouts, ...options.timeouts };
  const userAgent = options.userAgent ? `${options.userAgent} ${ownUserAgent}` : ownUserAgent;
  const logger = options.logger ?? {};
  let builtDispatcher: Dispatcher | undefined;

  const dispatcher = (): Dispatcher => {
    if (options.dispatcher) return options.dispatcher;
    builtDispatcher ??= hasProxyEnvironment()
      ? new EnvHttpProxyAgent({
          connect: { timeout: timeouts.connectMs },
          // The CONNECT request to the proxy ends with the connect timer too, rather than undici's 300 s.
          clientFactory: (origin: URL | string, clientOptions: object) =>
            new Pool(origin, { ...clientOptions, headersTimeout: timeouts.connectMs }),
        } as ConstructorParameters<typeof EnvHttpProxyAgent>[0])
      : new Agent({ connect: { timeout: timeouts.connectMs } });
    return builtDispatcher;
  };

  async function request<T>(request: RequestOptions<T>): Promise<TransportResponse<T>> {
    const { signal, body } = request;
    signal?.throwIfAborted();
    const target = requestTarget(options.baseUrl, request.path, request.query);
    const label = `${request.method} ${redactText(target.displayPath)}`;
    if (body !== undefined && typeof (body as Partial<RequestBody> | null)?.open !== 'function') {
      throw new InvalidInputError(
        'INVALID_REQUEST',
        `${label}: the body is not one of the transport's body kinds (jsonBody, formBody, bytesBody, fileBody, streamBody, multipartBody); nothing was sent`,
        { operation: request.operation },
      );
    }
    const isIdempotent = request.idempotent ?? idempotentMethods.has(request.method);
    // A monotonic clock: a step of the system clock must not move the deadline.
    const startedAt = performance.now();
    let totalDelayMs = 0;
    // A body that cannot be reopened is opened once; it may be sent again only if no attempt ever pulled from it.
    let oneShot: OpenedBody | undefined;
    let wasOneShotPulled = false;
    // Whether an earlier attempt may or may not have reached the service.
    let hadAmbiguousAttempt = false;

    for (let attempt = 1; ; attempt += 1) {
      const state = { wasPulled: false, secrets: [] as readonly string[] };
      try {
        const response = await attemptOnce<T>(request, target, label, attempt, state, oneShot, (opened) => {
          if (body && !body.isReopenable) oneShot = opened;
        });
        return { ...response, attempts: attempt, totalDelayMs };
      } catch (caught) {
        if (signal?.aborted) throw signal.reason;
        if (caught instanceof ForeignError) throw caught.error;
        if (state.wasPulled && body && !body.isReopenable) wasOneShotPulled = true;
        const context: ErrorContext = {
          label,
          operation: request.operation,
          secrets: state.secrets,
          ...timeouts,
        };
        const rejected = caught instanceof RejectedBody ? caught : undefined;
        const error = rejected ? rejected.error : toTransportError(caught, context);
        error.attempts = attempt;
        error.totalDelayMs = totalDelayMs;
        error.hasAmbiguousAttempt = hadAmbiguousAttempt;
        if (error.delivery === 'unknown') hadAmbiguousAttempt = true;
        const verdict = retryVerdict(error, request, isIdempotent, wasOneShotPulled, rejected?.isThrottled);
        if (!verdict) {
          logger.debug?.('request failed', fields(request, label, attempt, { code: error.code }));
          throw error;
        }
        const retryAfterMs = HttpStatusError.isInstance(error) ? error.retryAfterMs : rejected?.retryAfterMs;
        const delayMs = retryDelayMs(policy, attempt, retryAfterMs);
        const elapsedMs = performance.now() - startedAt;
        if (attempt >= policy.maxAttempts || outOfTime(policy, elapsedMs, delayMs)) {
          if (policy.maxAttempts === 1) throw error;
          const exhausted = new RetriesExhaustedError(
            `${label}: gave up after ${attempt} attempts and ${totalDelayMs} ms of waiting: ${error.message}`,
            { cause: error, attempts: attempt, totalDelayMs, operation: request.operation },
          );
          exhausted.hasAmbiguousAttempt = hadAmbiguousAttempt;
          throw exhausted;
        }
        logger.warn?.('retrying request', fields(request, label, attempt, { code: error.code, delayMs }));
        await sleep(delayMs, signal);
        totalDelayMs += delayMs;
      }
    }
  }

  /** One attempt: rate limit -> sign -> dispatch -> read. */
  async function attemptOnce<T>(
    request: RequestOptions<T>,
    target: RequestTarget,
    label: string,
    attempt: number,
    state: { wasPulled: boolean; secrets: readonly string[] },
    reused: OpenedBody | undefined,
    onOpened: (opened: OpenedBody) => void,
  ): Promise<Omit<TransportResponse<T>, 'attempts' | 'totalDelayMs'>> {
    const { signal, body, limitKey } = request;
    let release: (() => void) | undefined;
    if (limitKey !== undefined && options.limiter) {
      release =
        (await passThrough(acquireSlot(options.limiter, limitKey, label, request.operation, signal))) ||
        undefined;
      signal?.throwIfAborted();
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let keepsAbortListener = false;
    let stallTimer: NodeJS.Timeout | undefined;
    try {
      let opened = reused;
      if (body && !opened) {
        try {
          opened = await body.open({ signal, reuseBuffers: writesInOrder(dispatcher()) });
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          throw sourceError(error, label, 0, request.operation);
        }
        onOpened(opened);
      }
      const headers = baseHeaders(request, target, body, opened, userAgent);
      const auth = request.auth ?? options.auth ?? none();
      const authorization = await passThrough(
        auth.authorize({
          method: request.method,
          host: target.host,
          pathname: target.pathname,
          query: target.query,
          headers,
          body,
          signal,
        }),
      );
      state.secrets = authorization.secrets;
      Object.assign(headers, authorization.headers);
      checkHeaderValues(headers, label, request.operation);
      logger.debug?.('sending request', fields(request, label, attempt, {}));

      const totalBytes = opened?.progress?.totalBytes ?? opened?.sizeBytes;
      const progressOf = opened?.progress;
      let lastLoadedBytes = -1;
      const report = (sentBytes: number) => {
        const loadedBytes = progressOf ? progressOf.loadedBytes(sentBytes) : sentBytes;
        if (loadedBytes === lastLoadedBytes) return;
        lastLoadedBytes = loadedBytes;
        request.onProgress?.({ loadedBytes, totalBytes });
      };
      let requestBody: Uint8Array | AsyncIterable<Uint8Array> | null = null;
      if (opened?.bytes) requestBody = opened.bytes;
      else if (opened?.stream) {
        const stall = () => {
          controller.abort(
            new TimeoutError(`${label}: no upload progress for ${timeouts.stallMs} ms`, {
              phase: 'stall',
              timeoutMs: timeouts.stallMs,
              operation: request.operation,
            }),
          );
        };
        const tracked = trackUpload(opened.stream, label, request.operation, controller.signal, {
          onStart: () => {
            state.wasPulled = true;
            stallTimer = setTimeout(stall, timeouts.stallMs);
          },
          onHandoff: (loadedBytes) => {
            stallTimer?.refresh();
            report(loadedBytes);
          },
          onEnd: () => clearTimeout(stallTimer),
        });
        requestBody = tracked;
        // Close the source at the abort itself, not when (or whether) the HTTP client next asks for a chunk.
        controller.signal.addEventListener(
          'abort',
          () => void tracked.return(undefined).catch(() => undefined),
          {
            once: true,
          },
        );
      }

      let response: Dispatcher.ResponseData;
      try {
        response = await dispatchWithinConnectTime(
          dispatcher(),
          {
            origin: target.origin,
            path: target.pathAndQuery,
            method: request.method,
            headers,
            // undici sends an async iterable body chunk by chunk (its types only list Readable).
            body: requestBody as Dispatcher.DispatchOptions['body'],
            signal: controller.signal,
            headersTimeout: timeouts.headersMs,
            bodyTimeout: timeouts.stallMs,
          },
          controller,
          () =>
            new TimeoutError(
              `${label}: no usable connection within timeouts.connectMs = ${timeouts.connectMs} ms (phase connect: DNS, TCP, TLS and any proxy tunnel; nothing was sent: safe to retry)`,
              { phase: 'connect', timeoutMs: timeouts.connectMs, operation: request.operation },
            ),
          timeouts.connectMs,
        );
      } catch (error) {
        throw controller.signal.aborted && !signal?.aborted ? controller.signal.reason : error;
      } finally {
        clearTimeout(stallTimer);
      }
      if (opened?.bytes) report(opened.sizeBytes);

      const responseHeaders = flattenHeaders(response.headers);
      const headerRequestId =
        responseHeaders['x-acs-request-id'] ??
        responseHeaders['x-request-id'] ??
        responseHeaders['x-oss-request-id'];
      if (!isExpectedStatus(response.statusCode, request.expectedStatus)) {
        throw await statusError(
          response,
          responseHeaders,
          headerRequestId,
          request,
          label,
          authorization.secrets,
        );
      }
      if (request.responseType === 'stream') {
        // The abort listener stays until the caller has read or dropped the body.
        keepsAbortListener = true;
        response.body.once('close', () => signal?.removeEventListener('abort', onAbort));
        return {
          status: response.statusCode,
          headers: responseHeaders,
          body: response.body as T,
          requestId: headerRequestId,
        };
      }
      const value = await readBody(response, request, label);
      const requestId = headerRequestId ?? bodyRequestId(value);
      const accepted = { status: response.statusCode, headers: responseHeaders, requestId };
      if (!request.schema) {
        rejectIfFailed(request, value as T, accepted);
        return { ...accepted, body: value as T };
      }
      const parsed = request.schema.safeParse(value);
      if (!parsed.success) {
        const issues = parsed.error.issues
          .slice(0, 5)
          .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
          .join('; ');
        throw new ResponseValidationError(`${label}: unexpected response body (${issues})`, {
          status: response.statusCode,
          ...(requestId === undefined ? {} : { requestId }),
          operation: request.operation,
          cause: parsed.error,
        });
      }
      rejectIfFailed(request, parsed.data, accepted);
      return { ...accepted, body: parsed.data };
    } finally {
      clearTimeout(stallTimer);
      if (!keepsAbortListener) signal?.removeEventListener('abort', onAbort);
      release?.();
    }
  }

  /** Throws a {@link RejectedBody} when `rejectBody` finds a failure; a throttled one penalizes the limiter as a 429 does. */
  function rejectIfFailed<T>(request: RequestOptions<T>, body: T, response: AcceptedResponse): void {
    if (!request.rejectBody) return;
    let failure: BodyFailure | undefined;
    try {
      failure = request.rejectBody(body, response);
    } catch (error) {
      throw new ForeignError(error);
    }
    if (!failure) return;
    const isThrottled = failure.isThrottled ?? false;
    const retryAfterMs = parseRetryAfterMs(response.headers);
    if (isThrottled && retryAfterMs !== undefined && request.limitKey !== undefined) {
      options.limiter?.penalize?.(request.limitKey, retryAfterMs);
    }
    throw new RejectedBody(failure.error, isThrottled, retryAfterMs);
  }

  async function statusError(
    response: Dispatcher.ResponseData,
    headers: Record<string, string>,
    headerRequestId: string | undefined,
    request: RequestOptions<unknown>,
    label: string,
    secrets: readonly string[],
  ): Promise<HttpStatusError> {
    const text = await readLimited(response.body, errorBodyLimitBytes);
    const service = readServiceError(text);
    const requestId = headerRequestId ?? service.requestId;
    const retryAfterMs = parseRetryAfterMs(headers);
    const status = response.statusCode;
    const location = headers.location === undefined ? undefined : redactText(headers.location, secrets);
    const isThrottled = status === 429 || (service.serviceCode?.includes('Throttling') ?? false);
    if (isThrottled && retryAfterMs !== undefined && request.limitKey !== undefined) {
      options.limiter?.penalize?.(request.limitKey, retryAfterMs);
    }
    const details = [
      location === undefined ? undefined : `Location: ${location}`,
      service.serviceCode,
      requestId === undefined ? undefined : `requestId=${requestId}`,
    ]
      .filter(Boolean)
      .join(', ');
    const hint = service.serviceMessage ? `: ${service.serviceMessage.slice(0, 300)}` : '';
    const unexpected =
      status < 400
        ? status >= 300
          ? '; redirects are not followed and nothing was stored'
          : '; not the success status this call expects'
        : '';
    const message = `${label}: ${status} ${STATUS_CODES[status] ?? 'Error'}${details ? ` (${details})` : ''}${unexpected}${hint}`;
    return new HttpStatusError(redactText(message, secrets), {
      status,
      ...(service.serviceCode === undefined ? {} : { serviceCode: service.serviceCode }),
      ...(requestId === undefined ? {} : { requestId }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      body: redactText(text, secrets),
      ...(location === undefined ? {} : { location }),
      isRetryable: retryableStatuses.has(status) || isThrottled,
      operation: request.operation,
    });
  }

  return {
    request,
    async close() {
      const built = builtDispatcher;
      builtDispatcher = undefined;
      await built?.close();
    },
  };
}

/**
 * Asks the limiter for a start under `limitKey`. A key the limiter does not know (`@x/ratelimit`'s `UNKNOWN_QUOTA`,
 * or a `TypeError` from another limiter) is a caller's mistake: it becomes an `InvalidInputError`
 * `INVALID_LIMIT_KEY` naming the key, before any byte is sent. Aborts and store failures pass through as they are.
 */
async function acquireSlot(
  limiter: Limiter,
  limitKey: string,
  label: string,
  operation: string | undefined,
  signal: AbortSignal | undefined,
  // biome-ignore lint/suspicious/noConfusingVoidType: the result of `Limiter.acquire`, passed on as it is.
): Promise<void | (() => void)> {
  try {
    return await limiter.acquire(limitKey, { signal });
  } catch (error) {
    if (signal?.aborted && error === signal.reason) throw error;
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    if (code !== 'UNKNOWN_QUOTA' && !(error instanceof TypeError)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError(
      'INVALID_LIMIT_KEY',
      `${label}: the limiter does not know limitKey "${limitKey}": ${reason}`,
      { cause: error, ...(operation !== undefined && { operation }) },
    );
  }
}

/** A body that `rejectBody` found to report a failure, on its way to the retry decision. */
class RejectedBody {
  constructor(
    readonly error: TransportError,
    readonly isThrottled: boolean,
    readonly retryAfterMs: number | undefined,
  ) {}
}

/** An error from the limiter or the auth strategy: rethrown as it is, never wrapped or retried. */
class ForeignError {
  constructor(readonly error: unknown) {}
}

async function passThrough<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw TransportError.isInstance(error) ? error : new ForeignError(error);
  }
}

/** Whether a failed attempt may be sent again: safe for the server, and the body can be sent again. */
function retryVerdict(
  error: TransportError,
  request: RequestOptions<unknown>,
  isIdempotent: boolean,
  wasOneShotPulled: boolean,
  isRejectedAsThrottled = false,
): boolean {
  if (!error.isRetryable && !isRejectedAsThrottled) return false;
  const { body } = request;
  if (body && !body.isReopenable && wasOneShotPulled) return false;
  // The service provably did not receive a complete request: safe even for a call that is not idempotent.
  if (error.delivery === 'not-delivered') return true;
  const isThrottled =
    isRejectedAsThrottled ||
    (HttpStatusError.isInstance(error) &&
      (error.status === 429 || (error.serviceCode?.includes('Throttling') ?? false)));
  if (isThrottled && request.retryThrottled) return true;
  return isIdempotent;
}

function outOfTime(policy: RetryPolicy, elapsedMs: number, delayMs: number): boolean {
  return policy.deadlineMs !== undefined && elapsedMs + delayMs >= policy.deadlineMs;
}

function baseHeaders(
  request: RequestOptions<unknown>,
  target: RequestTarget,
  body: RequestBody | undefined,
  opened: OpenedBody | undefined,
  userAgent: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    host: target.host,
    'user-agent': userAgent,
    accept:
      request.responseType === undefined || request.responseType === 'json' ? 'application/json' : '*/*',
  };
  if (body?.contentType) headers['content-type'] = body.contentType;
  if (opened) headers['content-length'] = String(opened.sizeBytes);
  else if (request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH') {
    headers['content-length'] = '0';
  }
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}

/**
 * Yields the body's chunks and reports each one as handed to the socket once the consumer asks for the next: the
 * consumer (undici) only pulls again after the socket took the previous chunk. Once the attempt is aborted (the
 * caller's signal, a timer) it pulls nothing more from the source and closes it, whatever the consumer does next:
 * after an abort at most the chunk already being read is read, on any machine.
 */
async function* trackUpload(
  stream: AsyncIterable<Uint8Array>,
  label: string,
  operation: string | undefined,
  signal: AbortSignal,
  hooks: { onStart: () => void; onHandoff: (loadedBytes: number) => void; onEnd: () => void },
): AsyncGenerator<Uint8Array> {
  hooks.onStart();
  let loadedBytes = 0;
  const iterator = stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      let step: IteratorResult<Uint8Array>;
      try {
        step = await iterator.next();
      } catch (error) {
        // The source's own failure (a disk that went away) is the caller's input failing, not the network.
        throw sourceError(error, label, loadedBytes, operation);
      }
      if (step.done) break;
      const chunk = step.value;
      const bytes: Uint8Array = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (bytes.byteLength === 0) continue;
      yield bytes;
      loadedBytes += bytes.byteLength;
      hooks.onHandoff(loadedBytes);
    }
  } finally {
    hooks.onEnd();
    await iterator.return?.()?.catch?.(() => undefined);
  }
}

/**
 * A body source's own error as `BODY_SOURCE_FAILED` (the caller's input, not retried, the original as `cause`); the
 * transport's own errors (a file that changed, a consumed stream) pass through. @internal
 */
function sourceError(
  error: unknown,
  label: string,
  sentBytes: number,
  operation: string | undefined,
): TransportError {
  if (TransportError.isInstance(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new InvalidInputError(
    'BODY_SOURCE_FAILED',
    `${label}: the body's source failed after ${sentBytes} bytes (${redactText(reason)}); the request was cut short, so the service did not receive it`,
    { cause: error, operation },
  );
}

/** CR, LF and NUL would end a header line early and let a value add headers of its own. */
function checkHeaderValues(
  headers: Record<string, string>,
  label: string,
  operation: string | undefined,
): void {
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n\0]/.test(name) || /[\r\n\0]/.test(String(value))) {
      throw new InvalidInputError(
        'INVALID_INPUT',
        `${label}: the value of header ${JSON.stringify(name.replace(/[\r\n\0]/g, ' '))} contains CR, LF or NUL, which would end the header line; nothing was sent`,
        { operation },
      );
    }
  }
}

function isExpectedStatus(status: number, expected: number | readonly number[] | undefined): boolean {
  if (expected === undefined) return status >= 200 && status < 300;
  return typeof expected === 'number' ? status === expected : expected.includes(status);
}

/**
 * Dispatches with a timer that covers the whole way to a usable connection (DNS, TCP, TLS, a proxy's CONNECT
 * tunnel, a wait for a free connection): it stops when the request is handed to a connected socket. undici only
 * settles a request whose connection is still being made once that connection ends, so the timer and the caller's
 * abort are raced here rather than left to it.
 */
function dispatchWithinConnectTime(
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions,
  controller: AbortController,
  connectTimeout: () => TransportError,
  connectMs: number,
): Promise<Dispatcher.ResponseData> {
  let isConnected = false;
  const hooked = dispatcher.compose(
    (dispatch) => (dispatchOptions, handler) =>
      dispatch(
        dispatchOptions,
        onConnected(handler, () => {
          isConnected = true;
        }),
      ),
  );
  const pending = hooked.request(options);
  return new Promise((resolve, reject) => {
    let isSettled = false;
    const settle = (action: () => void) => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      controller.signal.removeEventListener('abort', onAbort);
      action();
    };
    const onAbort = () => settle(() => reject(controller.signal.reason));
    const timer = setTimeout(() => {
      if (isConnected) return;
      const error = connectTimeout();
      settle(() => reject(error));
      controller.abort(error);
    }, connectMs);
    controller.signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (response) => {
        if (isSettled) response.body.destroy();
        settle(() => resolve(response));
      },
      (error: unknown) => settle(() => reject(error)),
    );
  });
}

/** A handler that reports when its request is handed to a connected socket (both undici handler styles). */
function onConnected(handler: Dispatcher.DispatchHandler, callback: () => void): Dispatcher.DispatchHandler {
  return new Proxy(handler, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if ((property === 'onConnect' || property === 'onRequestStart') && typeof value === 'function') {
        return (...parameters: unknown[]) => {
          callback();
          return (value as (...parameters: unknown[]) => unknown).apply(target, parameters);
        };
      }
      return typeof value === 'function'
        ? (value as (...parameters: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

async function readBody(
  response: Dispatcher.ResponseData,
  request: RequestOptions<unknown>,
  label: string,
): Promise<unknown> {
  if (request.method === 'HEAD' || response.statusCode === 204 || response.statusCode === 304) {
    await response.body.dump();
    return undefined;
  }
  const responseType = request.responseType ?? 'json';
  if (responseType === 'bytes') return new Uint8Array(await response.body.arrayBuffer());
  const text = await response.body.text();
  if (responseType === 'text') return text;
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ResponseValidationError(`${label}: the response body is not JSON (${text.length} characters)`, {
      status: response.statusCode,
      operation: request.operation,
      cause: error,
    });
  }
}

async function readLimited(body: Dispatcher.ResponseData['body'], limitBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      sizeBytes += chunk.byteLength;
      if (sizeBytes >= limitBytes) break;
    }
  } catch {
    // The error body is informative only; a broken one must not hide the status.
  }
  body.destroy();
  return Buffer.concat(chunks).subarray(0, limitBytes).toString('utf8');
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

function fields(
  request: RequestOptions<unknown>,
  label: string,
  attempt: number,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return { operation: request.operation, request: label, attempt, ...extra };
}

/**
 * True for undici's own connection dispatchers, whose body writers release a chunk once two more were requested
 * (see `readFile`). Mocks, composed interceptors and foreign dispatchers get fresh buffers.
 */
function writesInOrder(dispatcher: Dispatcher): boolean {
  const isUndiciConnection =
    dispatcher instanceof Agent ||
    dispatcher instanceof Pool ||
    dispatcher instanceof Client ||
    dispatcher instanceof EnvHttpProxyAgent;
  // `compose()` returns a proxy of the same class whose `dispatch` runs interceptors that may hold on to chunks.
  const prototype = Object.getPrototypeOf(dispatcher) as { dispatch?: unknown } | null;
  return isUndiciConnection && dispatcher.dispatch === prototype?.dispatch;
}

function hasProxyEnvironment(): boolean {
  const env = process.env;
  return Boolean(env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy);
}

function sleep(delayMs: number, signal: AbortSignal | undefined): Promise<void> {
  if (delayMs <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
