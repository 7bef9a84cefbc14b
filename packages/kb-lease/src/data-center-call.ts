import { formBody, type HttpMethod, HttpStatusError, type Transport, TransportError } from '@x/transport';
import type { z } from 'zod';
import { envelopeOf, isSuccessField } from './kb-lease-api.js';
import { KnowledgeBaseError } from './knowledge-base-error.js';

/** The API version every call names in `x-acs-version` (spec §2). */
export const bailianApiVersion = '2023-12-29';

/** One signed ROA call of the Bailian data API. @internal */
export interface ApiCall<T extends z.ZodType> {
  /** The action, sent as `x-acs-action`. */
  action: string;
  /** The HTTP method. */
  method: HttpMethod;
  /** Path segments after the workspace; each is percent-encoded (spec §2). A trailing `''` gives a trailing slash. */
  path: readonly string[];
  /** Form fields (spec §2: `application/x-www-form-urlencoded`, JSON strings for arrays and objects). */
  form?: Record<string, string | number | boolean | undefined>;
  /** Query parameters. */
  query?: Record<string, string | number | boolean | undefined>;
  /** The schema of `Data`. */
  data: T;
  /** The limiter key, e.g. `addFile:<workspace>`. */
  limitKey?: string;
  /** Whether a second delivery is harmless. @default true for GET/PUT/DELETE, false for POST */
  idempotent?: boolean;
  /** Aborts the call. */
  signal?: AbortSignal;
}

/** A call's answer: `Data` as parsed, and the whole envelope (unknown fields kept). @internal */
export interface ApiResult<T> {
  readonly data: T;
  readonly body: Record<string, unknown>;
  readonly requestId: string | undefined;
  readonly attempts: number;
}

/** Calls one action and decides success from the HTTP status and `Success` (spec §10.4). @internal */
export type ApiCaller = <T extends z.ZodType>(call: ApiCall<T>) => Promise<ApiResult<z.infer<T>>>;

/**
 * Builds the caller of one workspace: path `/{WorkspaceId}/…`, `x-acs-action` and `x-acs-version`, a form body or
 * query, retries of what is safe (throttling included), and the envelope's `Success` checked: a 200 with
 * `Success: false` is an error (spec §7). Errors carry the hints seed 000's FAQ gives.
 *
 * @internal
 */
export function createApiCaller(transport: Transport, workspaceId: string): ApiCaller {
  return async function call<T extends z.ZodType>(request: ApiCall<T>): Promise<ApiResult<z.infer<T>>> {
    const path = `/${[workspaceId, ...request.path].map(percentEncode).join('/')}`;
    const label = `${request.method} ${path}`;
    let response: Awaited<ReturnType<Transport['request']>>;
    try {
      response = await transport.request({
        method: request.method,
        path,
        query: request.query,
        headers: { 'x-acs-action': request.action, 'x-acs-version': bailianApiVersion },
        ...(request.form ? { body: formBody(request.form) } : {}),
        ...(request.idempotent === undefined ? {} : { idempotent: request.idempotent }),
        retryThrottled: true,
        limitKey: request.limitKey,
        operation: request.action,
        schema: envelopeOf(request.data),
        signal: request.signal,
      });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      throw withHint(error);
    }
    const body = response.body as z.infer<ReturnType<typeof envelopeOf<T>>>;
    const code = body.Code ?? body.code ?? undefined;
    const message = body.Message ?? body.message ?? undefined;
    const requestId = response.requestId ?? body.RequestId ?? body.requestId ?? undefined;
    if (!isSuccessField(body.Success)) {
      const hint = hintFor(code, message);
      throw new KnowledgeBaseError(
        'SERVICE_FAILURE',
        `${label}: ${request.action} answered Success: ${String(body.Success)}${code ? ` (${code}${requestId ? `, requestId=${requestId}` : ''})` : ''}${message ? `: ${message}` : ''}${hint ? `. ${hint}` : ''}`,
        {
          httpStatus: response.status,
          operation: request.action,
          isRetryable: code?.includes('Throttling') ?? false,
          ...(code ? { serviceCode: code } : {}),
          ...(requestId ? { requestId } : {}),
        },
      );
    }
    if (body.Data === undefined || body.Data === null) {
      throw new KnowledgeBaseError('SERVICE_FAILURE', `${label}: ${request.action} answered without Data`, {
        httpStatus: response.status,
        operation: request.action,
        ...(requestId ? { requestId } : {}),
      });
    }
    return {
      data: body.Data as z.infer<T>,
      body: body as Record<string, unknown>,
      requestId,
      attempts: response.attempts,
    };
  };
}

/** `encodeURIComponent`, then the SDK's first-occurrence replaces of `+`, `*` and `%7E` (spec §2). @internal */
export function percentEncode(segment: string): string {
  return encodeURIComponent(segment).replace('+', '%20').replace('*', '%2A').replace('%7E', '~');
}

/** The hints of seed 000's FAQ, keyed by what the service says. @internal */
export function hintFor(code: string | undefined, message: string | undefined): string | undefined {
  const text = `${code ?? ''} ${message ?? ''}`;
  if (/Access to your uploaded file failed/i.test(text)) {
    return 'Hint: the upload step (the PUT to the lease URL) was not completed or failed; upload the bytes before AddFile (seed 000 FAQ)';
  }
  if (
    /NoWorkspacePermissions|not authorized to access this workspace|workspace does not exist|workspace id is null/i.test(
      text,
    )
  ) {
    return 'Hint: the WorkspaceId is wrong, or the RAM user is not a member of the workspace (seed 000 FAQ)';
  }
  if (/InvalidAccessKeyId|access key is not found|AccessKey.*(invalid|disabled)/i.test(text)) {
    return 'Hint: the AccessKey ID or secret is wrong, or the AccessKey is disabled (seed 000 FAQ)';
  }
  return undefined;
}

/** An HTTP error of the service with seed 000's hint appended, same class and fields. */
function withHint(error: unknown): unknown {
  if (!HttpStatusError.isInstance(error)) return error;
  let message: string | undefined;
  try {
    const parsed = JSON.parse(error.body ?? '') as Record<string, unknown>;
    message = typeof parsed.Message === 'string' ? parsed.Message : (parsed.message as string | undefined);
  } catch {
    message = error.body;
  }
  const hint = hintFor(error.serviceCode, message);
  if (!hint) return error;
  const hinted = new HttpStatusError(`${error.message}. ${hint}`, {
    status: error.status,
    ...(error.serviceCode === undefined ? {} : { serviceCode: error.serviceCode }),
    ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
    ...(error.body === undefined ? {} : { body: error.body }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    isRetryable: error.isRetryable,
    operation: error.operation,
    attempts: error.attempts,
    totalDelayMs: error.totalDelayMs,
    cause: error.cause,
  });
  return hinted;
}

/** True for an error that says the service throttled the call and did nothing. @internal */
export function isThrottled(error: unknown): boolean {
  if (HttpStatusError.isInstance(error)) {
    return error.status === 429 || (error.serviceCode?.includes('Throttling') ?? false);
  }
  if (KnowledgeBaseError.isInstance(error)) return error.serviceCode?.includes('Throttling') ?? false;
  if (TransportError.isInstance(error) && error.code === 'RETRIES_EXHAUSTED') return isThrottled(error.cause);
  return false;
}
