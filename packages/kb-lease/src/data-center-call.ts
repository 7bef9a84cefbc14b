import {
  type AcceptedResponse,
  type BodyFailure,
  formBody,
  type HttpMethod,
  HttpStatusError,
  type Transport,
  TransportError,
} from '@x/transport';
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
        rejectBody: (body, answer) => successFalseFailure(label, request.action, body, answer),
        signal: request.signal,
      });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      throw withHint(error);
    }
    const body = response.body as z.infer<ReturnType<typeof envelopeOf<T>>>;
    const requestId = response.requestId ?? body.RequestId ?? body.requestId ?? undefined;
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

/**
 * The `Code`s of a `Success: false` answer that say the failure is temporary (spec §7): `InternalError` and
 * `ServiceUnavailable`, the codes the service pairs with 500 and 503, alone or as the last segment of a namespaced
 * code (`DataCenter.InternalError`); and any code containing `Throttling` (`DataCenter.Throttling`), as the official
 * SDK's `ThrottlingError` reads them. A code that only starts with one (`InternalError.Algo.InvalidParameter`) stays
 * final, as do parameter, permission and signature codes. @internal
 */
export function isTransientServiceCode(code: string | undefined): boolean {
  if (code === undefined) return false;
  return isThrottlingCode(code) || /(^|\.)(InternalError|ServiceUnavailable)$/.test(code);
}

/** A `Code` that says the service throttled the call and did nothing (spec §7). @internal */
export function isThrottlingCode(code: string | undefined): boolean {
  return code?.includes('Throttling') ?? false;
}

/**
 * Reads `Success` (spec §10.4): a `Success: false` answer is a `SERVICE_FAILURE`, retryable when its `Code` is
 * transient ({@link isTransientServiceCode}), and handled as a 429 when it is a throttling code. Whether it is sent
 * again is the transport's decision, as for an HTTP 5xx or 429: only for a call that is safe to repeat (`idempotent`),
 * or for any call when throttled (the service did nothing).
 */
function successFalseFailure(
  label: string,
  action: string,
  envelope: unknown,
  answer: AcceptedResponse,
): BodyFailure | undefined {
  const body = envelope as Record<string, unknown>;
  if (isSuccessField(body.Success)) return undefined;
  const code = textField(body.Code) ?? textField(body.code);
  const message = textField(body.Message) ?? textField(body.message);
  const requestId = answer.requestId ?? textField(body.RequestId) ?? textField(body.requestId);
  const hint = hintFor(code, message);
  const isThrottled = isThrottlingCode(code);
  const error = new KnowledgeBaseError(
    'SERVICE_FAILURE',
    `${label}: ${action} answered Success: ${String(body.Success)}${code ? ` (${code}${requestId ? `, requestId=${requestId}` : ''})` : ''}${message ? `: ${message}` : ''}${hint ? `. ${hint}` : ''}`,
    {
      httpStatus: answer.status,
      operation: action,
      delivery: 'answered',
      isRetryable: isTransientServiceCode(code),
      ...(code ? { serviceCode: code } : {}),
      ...(requestId ? { requestId } : {}),
    },
  );
  return { error, isThrottled };
}

function textField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `encodeURIComponent`, then the SDK's first-occurrence replaces of `+`, `*` and `%7E` (spec §2). @internal */
export function percentEncode(segment: string): string {
  return encodeURIComponent(segment).replace('+', '%20').replace('*', '%2A').replace('%7E', '~');
}

/** The hints of seed 000's FAQ and of the auth codes of spec §7, keyed by what the service says. @internal */
export function hintFor(code: string | undefined, message: string | undefined): string | undefined {
  // Sources: seed 000's FAQ for each hint.
  const text = `${code ?? ''} ${message ?? ''}`;
  if (/Access to your uploaded file failed/i.test(text)) {
    return 'Hint: the upload step (the PUT to the lease URL) was not completed or failed; upload the bytes before AddFile';
  }
  if (
    /NoWorkspacePermissions|not authorized to access this workspace|workspace does not exist|workspace id is null/i.test(
      text,
    )
  ) {
    return 'Hint: the WorkspaceId is wrong, or the RAM user is not a member of the workspace';
  }
  // Source: spec §7 (gateway codes seen by users: SignatureDoesNotMatch, InvalidAccessKeyId.NotFound).
  if (code === 'SignatureDoesNotMatch') {
    return 'Hint: the AccessKey secret does not match its ID: check ALIBABA_CLOUD_ACCESS_KEY_SECRET or the secret given to the client';
  }
  if (/InvalidAccessKeyId|access key is not found|AccessKey.*(invalid|disabled)/i.test(text)) {
    return 'Hint: the AccessKey ID is not known to the service, or the AccessKey is disabled: check ALIBABA_CLOUD_ACCESS_KEY_ID';
  }
  return undefined;
}

/**
 * The error's message with a multi-line service message cut to its first sentence: the gateway echoes its string to
 * sign after "Specified signature does not match our calculation.", which is noise to a user and breaks one-line output.
 */
function withFirstSentence(text: string, serviceMessage: string | undefined): string {
  if (serviceMessage === undefined || !/[\r\n]|string to sign/i.test(serviceMessage)) return text;
  const firstLine = serviceMessage.split(/[\r\n]/, 1)[0] ?? '';
  const sentence = /^.*?[.!?](?=\s|$)/.exec(firstLine)?.[0] ?? firstLine;
  const start = text.indexOf(`: ${firstLine.slice(0, 40)}`);
  if (start === -1) return text;
  return `${text.slice(0, start)}: ${sentence.trim()}`;
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
  const text = withFirstSentence(error.message, message);
  if (!hint && text === error.message) return error;
  const hinted = new HttpStatusError(hint ? `${text.replace(/\.$/, '')}. ${hint}` : text, {
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
  if (KnowledgeBaseError.isInstance(error)) return isThrottlingCode(error.serviceCode);
  if (TransportError.isInstance(error) && error.code === 'RETRIES_EXHAUSTED') return isThrottled(error.cause);
  return false;
}
