import {
  type AuthStrategy,
  apiKeyLabel,
  bearer,
  checkOptions,
  createClientResources,
  createTransport,
  formatSizeOverLimit,
  guessContentType,
  HttpStatusError,
  InvalidInputError,
  type MultipartPart,
  multipartBody,
  none,
  parseLocalReference,
  resolveUploadSource,
  runPool,
  type UploadInput,
  type UploadSource,
} from '@x/transport';
import type { ZodType } from 'zod';
import { fileLifetimeMs } from './is-expired.js';
import { mapMessageMedia } from './map-message-media.js';
import { reserveObjectName, sanitizeObjectName } from './object-name.js';
import { createPolicyCache } from './policy-cache.js';
import { getPolicyResponseSchema, parseOssErrorBody, type UploadPolicyData } from './temp-oss-api.js';
import {
  type ResolveLocalFilesOptions,
  regionBaseUrls,
  resolveLocalFilesOptionsSchema,
  type TempStorageOptions,
  tempStorageOptionsSchema,
  type UploadManyOptions,
  type UploadOptions,
  uploadManyOptionsSchema,
  uploadOptionsSchema,
} from './temp-oss-options.js';

/** A file in temporary storage. */
export interface TempUploadResult {
  /** `oss://<key>`: pass it to the model in place of a public URL, with `X-DashScope-OssResourceResolve: enable`. */
  readonly url: string;
  /** The object key, `upload_dir/<name>`. */
  readonly key: string;
  /** The model the file is bound to; only calls to this model can read it. */
  readonly model: string;
  /** Bytes uploaded. */
  readonly sizeBytes: number;
  /** When the service deletes the file: 48 hours after the upload began (a safe lower bound). */
  readonly expiresAt: Date;
}

/** One file of a batch: the input and, optionally, its name and type. */
export interface UploadManyItem {
  /** The file: a path, a `file:` URL, a `Blob`/`File`, bytes, or `{ stream, sizeBytes }`. */
  file: UploadInput;
  /**
   * Object name (made safe and unique).
   * @default the input's own name, otherwise `file`
   */
  fileName?: string;
  /**
   * Content type stored with the object.
   * @default guessed from the name
   */
  contentType?: string;
}

/** The outcome of one file of a batch, in the shape of `Promise.allSettled`. */
export type UploadManyResult =
  | {
      /** The upload succeeded. */
      readonly status: 'fulfilled';
      /** Position of the file in the batch. */
      readonly index: number;
      /** The stored file. */
      readonly value: TempUploadResult;
    }
  | {
      /** The upload failed; the other files are unaffected. */
      readonly status: 'rejected';
      /** Position of the file in the batch. */
      readonly index: number;
      /** Why (a `TransportError` in most cases). */
      readonly reason: unknown;
    };

/** Messages with local files replaced by `oss://` URLs. */
export interface ResolvedMessages<T> {
  /** A copy of the messages (only changed parts are copied) with `oss://` URLs in place of local files. */
  readonly messages: T[];
  /** The files uploaded, one per distinct local file. */
  readonly uploads: readonly TempUploadResult[];
}

/** A client of DashScope temporary storage for one account. */
export interface TempStorage {
  /**
   * Uploads one file and returns its `oss://` URL, valid for 48 hours with the given model.
   *
   * @param file - A path, a `file:` URL, a `Blob`/`File`, bytes, or `{ stream, sizeBytes }`.
   * @throws `InvalidInputError` (from `@x/transport`): `FILE_TOO_LARGE` when the file is over the model's limit
   * (nothing is sent), `FILE_NOT_FOUND`, `NOT_A_FILE`, `INVALID_OPTIONS` and other input problems.
   * @throws `HttpStatusError` (from `@x/transport`) when the service refuses, e.g. 401 `InvalidApiKey`, or 429
   * `Throttling.RateQuota` after retries.
   * @throws `signal.reason` when aborted.
   */
  upload(file: UploadInput, options: UploadOptions): Promise<TempUploadResult>;
  /**
   * Uploads many files, `concurrency` at a time, all under one policy while it lasts. One failure does not stop
   * the others: every file gets a result.
   *
   * @throws `InvalidInputError` (from `@x/transport`): `INVALID_OPTIONS` for bad options.
   * @throws `signal.reason` when aborted.
   */
  uploadMany(
    files: readonly (UploadInput | UploadManyItem)[],
    options: UploadManyOptions,
  ): Promise<UploadManyResult[]>;
  /**
   * Uploads the local files that chat messages refer to (`file://` URLs and paths in image, audio, video and file
   * parts, DashScope native or OpenAI-style) and returns the messages with `oss://` URLs. Text is never uploaded.
   * The same file named twice is uploaded once.
   *
   * @throws `InvalidInputError` (from `@x/transport`): `FILE_NOT_FOUND` for a `file://` URL or path that names no
   * file, `INVALID_FILE_URL` for one that cannot name a local file, and any error of {@link TempStorage.upload}.
   * @throws `signal.reason` when aborted.
   */
  resolveLocalFiles<T>(
    messages: readonly T[],
    options: ResolveLocalFilesOptions,
  ): Promise<ResolvedMessages<T>>;
  /** Forgets cached policies and closes the transport this client built (not one passed in). */
  close(): Promise<void>;
}

const apiPath = '/api/v1/uploads';
const mebibyte = 1024 * 1024;

/**
 * Creates a client of DashScope temporary storage: getPolicy (one per account and model, reused until shortly
 * before it expires) -> OSS PostObject form streamed with the file last -> `oss://` URL valid for 48 hours.
 *
 * @throws `InvalidInputError` (from `@x/transport`): `INVALID_OPTIONS` for unknown or malformed options.
 * @example
 * ```ts
 * const storage = createTempStorage({ apiKey: process.env.DASHSCOPE_API_KEY });
 * const { url } = await storage.upload('cat.png', { model: 'qwen-vl-plus' });
 * // url: 'oss://dashscope-instant/.../cat.png'
 * await storage.close();
 * ```
 */
export function createTempStorage(options: TempStorageOptions = {}): TempStorage {
  const parsed = checkOptions(tempStorageOptionsSchema, options, 'createTempStorage');
  const resources = createClientResources({
    name: 'temporary storage client',
    transport: parsed.transport,
    limiter: parsed.limiter,
    defaultTransport: (limiter) =>
      createTransport({
        baseUrl: stripApiPath(parsed.baseUrl ?? regionBaseUrls[parsed.region ?? 'cn-beijing']),
        auth: bearer(parsed.apiKey),
        limiter,
        userAgent: `x-temp-oss/${__PACKAGE_VERSION__}`,
      }),
  });
  const { transport, assertOpen } = resources;
  // With a transport of the caller's, the caller's auth applies unless an API key is given here.
  const policyAuth: AuthStrategy | undefined =
    resources.ownsTransport || parsed.apiKey === undefined ? undefined : bearer(parsed.apiKey);
  let accountLabel: string | undefined;

  const policies = createPolicyCache({
    refreshMarginMs: parsed.policyRefreshMarginMs ?? 60_000,
    async fetchPolicy(model, signal) {
      const response = await transport.request({
        method: 'GET',
        path: apiPath,
        query: { action: 'getPolicy', model },
        auth: policyAuth,
        limitKey: `getPolicy:${account()}:${model}`,
        retryThrottled: true,
        operation: 'GetPolicy',
        schema: getPolicyResponseSchema,
        signal,
      });
      return response.body.data;
    },
  });

  /** The account's label in limiter keys, from the key found at the first request. */
  function account(): string {
    accountLabel ??= apiKeyLabel(parsed.apiKey);
    return accountLabel;
  }

  async function upload(file: UploadInput, uploadOptions: UploadOptions): Promise<TempUploadResult> {
    const { model, fileName, contentType, signal, onProgress } = checkOptions(
      uploadOptionsSchema,
      uploadOptions,
      'upload',
    );
    assertOpen();
    signal?.throwIfAborted();
    const source = await resolveUploadSource(file, { signal });
    const name = sanitizeObjectName(fileName ?? source.fileName ?? 'file');
    const type = contentType ?? source.contentType ?? guessContentType(name);
    let policy = await policies.get(model, signal);
    checkSize(source, policy.data, model, fileName);
    let hasRefreshedPolicy = false;
    let hasRenamed = false;
    for (;;) {
      const objectName = reserveObjectName(name, policy.names);
      const key = `${policy.data.upload_dir}/${objectName}`;
      const startedAtMs = Date.now();
      try {
        await transport.request({
          method: 'POST',
          path: policy.data.upload_host,
          auth: none(),
          body: multipartBody(formParts(policy.data, key, type, source, objectName)),
          responseType: 'text',
          operation: 'PostObject',
          // A fresh key of our own with overwrite forbidden: sending it again either stores the object or answers
          // 409 FileAlreadyExists, which after an ambiguous attempt means that attempt landed (handled below).
          idempotent: true,
          // success_action_status is 200: anything else (a 204, a redirect) is not the service's success answer.
          expectedStatus: 200,
          signal,
          onProgress,
        });
        return {
          url: `oss://${key}`,
          key,
          model,
          sizeBytes: source.sizeBytes,
          expiresAt: new Date(startedAtMs + fileLifetimeMs),
        };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (isAlreadyExists(error) && (error as HttpStatusError).hasAmbiguousAttempt) {
          // An earlier attempt may or may not have reached OSS, and the key is ours alone: it landed.
          return {
            url: `oss://${key}`,
            key,
            model,
            sizeBytes: source.sizeBytes,
            expiresAt: new Date(startedAtMs + fileLifetimeMs),
          };
        }
        if (!source.isReopenable) {
          if (isPolicyExpired(error)) {
            throw new InvalidInputError(
              'BODY_CONSUMED',
              'The upload policy expired during the upload and the file must be sent again under a new one, but it was given as a stream that can be read only once; pass { open: () => stream, sizeBytes } or a path so it can be reopened',
              { cause: error },
            );
          }
          throw error;
        }
        if (!hasRefreshedPolicy && isPolicyExpired(error)) {
          // The service's clock says the policy is over: fetch a new one (once) and send the file again.
          hasRefreshedPolicy = true;
          policies.invalidate(model, policy);
          policy = await policies.get(model, signal);
          checkSize(source, policy.data, model, fileName);
          continue;
        }
        if (!hasRenamed && isAlreadyExists(error)) {
          // Someone else used this name under the same policy: take the next free one.
          hasRenamed = true;
          continue;
        }
        throw error;
      }
    }
  }

  /** Checks the options of a call over many items, then that the client is open and the items are an array. */
  function checkManyCall<T>(
    where: string,
    schema: ZodType,
    options: T,
    itemsName: string,
    items: unknown,
  ): T {
    const checked = checkOptions(schema, options, where);
    assertOpen();
    if (!Array.isArray(items))
      throw new InvalidInputError('INVALID_OPTIONS', `${where}: ${itemsName} must be an array`);
    return checked;
  }

  async function uploadMany(
    files: readonly (UploadInput | UploadManyItem)[],
    manyOptions: UploadManyOptions,
  ): Promise<UploadManyResult[]> {
    const {
      model,
      concurrency = 4,
      signal,
      onProgress,
    } = checkManyCall('uploadMany', uploadManyOptionsSchema, manyOptions, 'files', files);
    return runPool(
      files,
      (entry, index) => {
        const item = toItem(entry);
        return upload(item.file, {
          model,
          fileName: item.fileName,
          contentType: item.contentType,
          signal,
          onProgress: onProgress && ((progress) => onProgress({ ...progress, index })),
        });
      },
      { concurrency, signal },
    );
  }

  async function resolveLocalFiles<T>(
    messages: readonly T[],
    resolveOptions: ResolveLocalFilesOptions,
  ): Promise<ResolvedMessages<T>> {
    const {
      model,
      concurrency = 4,
      signal,
      onProgress,
    } = checkManyCall(
      'resolveLocalFiles',
      resolveLocalFilesOptionsSchema,
      resolveOptions,
      'messages',
      messages,
    );
    const references: string[] = [];
    mapMessageMedia(messages, (url) => {
      references.push(url);
      return url;
    });
    const pathsByUrl = new Map<string, string>();
    for (const url of new Set(references)) {
      const reference = parseLocalReference(url);
      if (reference === undefined) continue;
      if (reference.kind === 'invalid')
        throw new InvalidInputError('INVALID_FILE_URL', `${url}: ${reference.reason}`);
      if (reference.mustExist) await resolveUploadSource(reference.path, { signal });
      else if (!(await isFile(reference.path))) continue;
      pathsByUrl.set(url, reference.path);
    }
    const paths = [...new Set(pathsByUrl.values())];
    // One failure stops the rest: the messages are of no use with a file missing.
    const stop = new AbortController();
    const combined = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    let settled: Awaited<ReturnType<typeof runPool<string, TempUploadResult>>>;
    try {
      settled = await runPool(
        paths,
        async (path, index) => {
          try {
            return await upload(path, {
              model,
              signal: combined,
              onProgress: onProgress && ((progress) => onProgress({ ...progress, index })),
            });
          } catch (error) {
            stop.abort(error);
            throw error;
          }
        },
        { concurrency, signal: combined },
      );
    } catch (error) {
      signal?.throwIfAborted();
      throw error;
    }
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure) throw stop.signal.reason ?? failure.reason;
    const uploads = settled.map((result) => (result as { value: TempUploadResult }).value);
    const urlsByPath = new Map(paths.map((path, index) => [path, uploads[index]!.url]));
    return {
      messages: mapMessageMedia(messages, (url) => {
        const path = pathsByUrl.get(url);
        return path === undefined ? url : urlsByPath.get(path)!;
      }),
      uploads,
    };
  }

  return {
    upload,
    uploadMany,
    resolveLocalFiles,
    close() {
      policies.clear();
      return resources.close();
    },
  };
}

/** The form in the order the official SDKs send it; the file goes last. */
function formParts(
  policy: UploadPolicyData,
  key: string,
  contentType: string,
  source: UploadSource,
  name: string,
): MultipartPart[] {
  const fields: [string, string | null | undefined][] = [
    ['OSSAccessKeyId', policy.oss_access_key_id],
    ['Signature', policy.signature],
    ['policy', policy.policy],
    ['key', key],
    ['x-oss-object-acl', policy.x_oss_object_acl],
    ['x-oss-forbid-overwrite', policy.x_oss_forbid_overwrite],
    ['x-oss-security-token', policy.x_oss_security_token],
    ['success_action_status', '200'],
    ['x-oss-content-type', contentType],
  ];
  const parts: MultipartPart[] = [];
  for (const [fieldName, value] of fields) {
    if (value !== undefined && value !== null) parts.push({ name: fieldName, value });
  }
  parts.push({ name: 'file', file: source.part, fileName: name, contentType });
  return parts;
}

function checkSize(
  source: UploadSource,
  policy: UploadPolicyData,
  model: string,
  fileName: string | undefined,
): void {
  const limitBytes = policy.max_file_size_mb * mebibyte;
  if (source.sizeBytes > limitBytes) {
    const subject = source.path ?? fileName ?? source.fileName ?? 'The file';
    throw new InvalidInputError(
      'FILE_TOO_LARGE',
      `${subject}: ${formatSizeOverLimit(source.sizeBytes, limitBytes, model)} in temporary storage`,
      source.path === undefined ? {} : { path: source.path },
    );
  }
}

/** OSS answers 403 `AccessDenied` "Invalid according to Policy: Policy expired." when the policy is over. */
function isPolicyExpired(error: unknown): boolean {
  if (!HttpStatusError.isInstance(error) || error.status !== 403) return false;
  const { message } = parseOssErrorBody(error.body);
  return /policy expired/i.test(message ?? error.body ?? '');
}

/** 409 `FileAlreadyExists`: the key exists and `x-oss-forbid-overwrite` is true. */
function isAlreadyExists(error: unknown): boolean {
  if (!HttpStatusError.isInstance(error) || error.status !== 409) return false;
  return (error.serviceCode ?? parseOssErrorBody(error.body).code) === 'FileAlreadyExists';
}

function toItem(entry: UploadInput | UploadManyItem): UploadManyItem {
  return typeof entry === 'object' && entry !== null && 'file' in entry && !(entry instanceof Blob)
    ? (entry as UploadManyItem)
    : { file: entry as UploadInput };
}

async function isFile(path: string): Promise<boolean> {
  try {
    await resolveUploadSource(path);
    return true;
  } catch {
    return false;
  }
}

/** `https://dashscope.aliyuncs.com/api/v1` (the Python SDK's form) and the bare origin both work. */
function stripApiPath(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}
