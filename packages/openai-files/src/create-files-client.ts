import type { Readable } from 'node:stream';
import { createModelStudioLimiter } from '@x/ratelimit';
import {
  apiKeyLabel,
  bearer,
  checkOptions,
  createClientResources,
  createTransport,
  type UploadInput,
} from '@x/transport';
import type { ZodType } from 'zod';
import { downloadFile, fileContent } from './download-file.js';
import { type FilesContext, filePath, sendWithHint } from './files-context.js';
import { listEvery, listPage } from './list-files.js';
import {
  type FileDeleted,
  type FileList,
  type FileObject,
  fileDeletedSchema,
  fileObjectSchema,
} from './openai-files-api.js';
import {
  type CallOptions,
  callOptionsSchema,
  type DownloadOptions,
  defaultFilesLimits,
  downloadOptionsSchema,
  type FilesClientOptions,
  filesClientOptionsSchema,
  type ListAllOptions,
  type ListOptions,
  listOptionsSchema,
  regionBaseUrls,
  type UploadManyOptions,
  type UploadOptions,
  type WaitOptions,
  waitOptionsSchema,
} from './openai-files-options.js';
import { uploadFile } from './upload-file.js';
import { type UploadManyItem, type UploadManyResult, uploadMany } from './upload-many.js';
import { waitUntilProcessed } from './wait-until-processed.js';

/** A client of the OpenAI-compatible Files API for one account. */
export interface FilesClient {
  /**
   * Uploads one file (`POST /files`, seed 003) and returns its file object. Before any byte is sent: the purpose,
   * the size (150 MB file-extract, 500 MB batch), the type (by extension and first bytes) and, for `batch`, every
   * line of the JSONL. Streamed with an exact `content-length`; retried on 429 / 5xx / a dropped connection by
   * reopening the source.
   *
   * @param file - A path, a `file:` URL, a `Blob`/`File`, bytes, or `{ open | stream, sizeBytes }`.
   * @throws `InvalidInputError`: `INVALID_OPTIONS`, `FILE_NAME_REQUIRED`, `UNSUPPORTED_FILE_TYPE`, `FILE_TOO_LARGE`,
   * `FILE_EMPTY`, `FILE_TYPE_MISMATCH`, `STREAM_NOT_REOPENABLE`, `FILE_NOT_FOUND`, `CLIENT_CLOSED`.
   * @throws {@link BatchInputError} `INVALID_BATCH_INPUT` naming the first bad line of a batch file.
   * @throws `HttpStatusError` when the service refuses (`serviceCode`, `requestId`, a hint where one is documented);
   * `RetriesExhaustedError` when every attempt failed; `signal.reason` when aborted.
   */
  upload(file: UploadInput, options: UploadOptions): Promise<FileObject>;
  /**
   * Uploads many files, `concurrency` at a time, within 3 uploads per second. One failure does not stop the others:
   * every file gets a result, in the shape of `Promise.allSettled` with its `index`.
   *
   * @throws `InvalidInputError` `INVALID_OPTIONS` for bad options; `signal.reason` when aborted.
   */
  uploadMany(
    files: readonly (UploadInput | UploadManyItem)[],
    options: UploadManyOptions,
  ): Promise<UploadManyResult[]>;
  /**
   * The file object of one file (`GET /files/{file_id}`, seed 003).
   * @throws `InvalidInputError` `INVALID_FILE_ID` before any request, for an id not of the documented form `file-…`
   * (specs/openai-files.md: `file-fe-…`, `file-batch-…`); `HttpStatusError` (404 for an unknown id); `signal.reason`.
   */
  retrieve(id: string, options?: CallOptions): Promise<FileObject>;
  /**
   * Deletes one file (`DELETE /files/{file_id}`, seed 003).
   * @throws `InvalidInputError` `INVALID_FILE_ID`; `HttpStatusError` (404 for an unknown id); `signal.reason`.
   */
  delete(id: string, options?: CallOptions): Promise<FileDeleted>;
  /**
   * One page of the file list (`GET /files`, seed 003), newest first, with the documented filters.
   * @throws `InvalidInputError` `INVALID_OPTIONS` (a limit outside 1..2000, a date in no documented form);
   * `HttpStatusError`; `signal.reason`.
   */
  list(options?: ListOptions): Promise<FileList>;
  /**
   * Every file matching the filters, page after page (`after` = the last id of the page before). Stops on
   * `has_more: false` or an empty page; a repeated cursor ends it with an error rather than a loop.
   * @throws `InvalidInputError` `INVALID_OPTIONS` (when called); `TransportError` `LIST_CURSOR_REPEATED`;
   * `HttpStatusError`; `signal.reason`.
   */
  listAll(options?: ListAllOptions): AsyncIterableIterator<FileObject>;
  /**
   * The file's bytes (`GET /files/{file_id}/content`) as a Node stream, not read yet: read it or destroy it.
   * @throws `InvalidInputError` `INVALID_FILE_ID`; `HttpStatusError`; `signal.reason`.
   */
  content(id: string, options?: CallOptions): Promise<Readable>;
  /**
   * Streams the file's bytes to `path` and returns the number of bytes written. The bytes go to a temporary file
   * beside `path`, moved into place only once complete: a failure or an abort leaves no file, partial or temporary.
   * An existing file is kept unless `overwrite` is set.
   * @throws `InvalidInputError` `INVALID_FILE_ID`, `INVALID_PATH`, `FILE_EXISTS` (before anything is requested),
   * `DOWNLOAD_WRITE_FAILED`; `HttpStatusError`; `NetworkError` when the answer breaks off; `signal.reason`.
   */
  download(id: string, path: string, options?: DownloadOptions): Promise<number>;
  /**
   * Retrieves the file until its status is `processed`, with backoff from 500 ms to 5 s inside the 10 per second
   * budget (seed 003).
   * @throws `InvalidInputError` `INVALID_FILE_ID` before any request, for an id not of the form `file-…`;
   * {@link FileProcessingError} `FILE_PROCESSING_FAILED` with `statusDetails` when the status is `error`;
   * `PollTimeoutError` (code `TIMEOUT`) after `timeoutMs`; `HttpStatusError`; `signal.reason`.
   */
  waitUntilProcessed(id: string, options?: WaitOptions): Promise<FileObject>;
  /** Closes the transport and the limiter this client built (not ones passed in). */
  close(): Promise<void>;
}

/**
 * Creates a client of the OpenAI-compatible Files API of Model Studio (seed 003; spec openai-files.md): Bearer auth
 * with the region's base URL, client-side quotas (3 uploads and 10 other calls per second), checked and streamed
 * uploads, cursors that cannot loop.
 *
 * @throws `InvalidInputError` `INVALID_OPTIONS` for unknown or malformed options.
 * @example
 * ```ts
 * const files = createFilesClient({ region: 'ap-southeast-1' }); // key from DASHSCOPE_API_KEY
 * const file = await files.upload('report.pdf', { purpose: 'file-extract' });
 * await files.waitUntilProcessed(file.id);
 * await files.close();
 * ```
 */
export function createFilesClient(options: FilesClientOptions = {}): FilesClient {
  const parsed = checkOptions(filesClientOptionsSchema, options, 'createFilesClient');
  const resources = createClientResources({
    name: 'files client',
    transport: parsed.transport,
    limiter: parsed.limiter,
    defaultLimiter: createDefaultLimiter,
    defaultTransport: (limiter) =>
      createTransport({
        baseUrl: compatibleModeBaseUrl(parsed.baseUrl ?? regionBaseUrls[parsed.region ?? 'cn-beijing']),
        auth: bearer(parsed.apiKey),
        ...(limiter ? { limiter } : {}),
        ...(parsed.retry === undefined ? {} : { retry: parsed.retry }),
        ...(parsed.logger ? { logger: parsed.logger } : {}),
        userAgent: `x-openai-files/${__PACKAGE_VERSION__}`,
      }),
  });
  const { transport } = resources;
  let accountLabel: string | undefined;

  const context: FilesContext = {
    transport,
    limits: { ...defaultFilesLimits, ...parsed.limits },
    limitKey: (quota) => `${quota}:${account()}`,
    assertOpen: resources.assertOpen,
    send: (request) => sendWithHint(transport, request),
  };

  /** The account's label in limiter keys, from the key found at the first request. */
  function account(): string {
    accountLabel ??= apiKeyLabel(parsed.apiKey);
    return accountLabel;
  }

  async function retrieve(id: string, callOptions?: CallOptions): Promise<FileObject> {
    const { signal } = checkOptions(callOptionsSchema, callOptions ?? {}, 'retrieve');
    context.assertOpen();
    const response = await context.send({
      method: 'GET',
      path: filePath(id),
      operation: 'RetrieveFile',
      limitKey: context.limitKey('files'),
      schema: fileObjectSchema as unknown as ZodType<FileObject>,
      signal,
    });
    return response.body;
  }

  return {
    upload: (file, uploadOptions) => uploadFile(context, file, uploadOptions),
    uploadMany: (files, manyOptions) => uploadMany(context, files, manyOptions),
    retrieve,
    async delete(id, callOptions) {
      const { signal } = checkOptions(callOptionsSchema, callOptions ?? {}, 'delete');
      context.assertOpen();
      const response = await context.send({
        method: 'DELETE',
        path: filePath(id),
        operation: 'DeleteFile',
        limitKey: context.limitKey('files'),
        schema: fileDeletedSchema as unknown as ZodType<FileDeleted>,
        signal,
      });
      return response.body;
    },
    async list(listOptions) {
      return listPage(context, checkOptions(listOptionsSchema, listOptions, 'list') ?? {});
    },
    listAll(listOptions) {
      return listEvery(context, checkOptions(listOptionsSchema, listOptions, 'listAll') ?? {});
    },
    async content(id, callOptions) {
      const { signal } = checkOptions(callOptionsSchema, callOptions ?? {}, 'content');
      return fileContent(context, id, signal);
    },
    async download(id, path, downloadOptions) {
      const checked = checkOptions(downloadOptionsSchema, downloadOptions ?? {}, 'download');
      context.assertOpen();
      return downloadFile(context, id, path, checked);
    },
    async waitUntilProcessed(id, waitOptions) {
      const checked = checkOptions(waitOptionsSchema, waitOptions, 'waitUntilProcessed') ?? {};
      filePath(id);
      return waitUntilProcessed((fileId, signal) => retrieve(fileId, signal ? { signal } : {}), id, checked);
    },
    close: resources.close,
  };
}

/**
 * The quotas of seed 003 ("限流": 3 uploads, and 10 retrieve + list + delete calls, per second) in memory. The store
 * holds each window `defaultWindowMarginMs` (100 ms) longer than a second: a call is counted when it leaves this
 * process and again when it reaches the service, and the margin absorbs the difference between the two.
 */
function createDefaultLimiter() {
  return createModelStudioLimiter();
}

/** An origin (an emulator's `http://127.0.0.1:4010`) gets `/compatible-mode/v1`; a full base URL is kept. */
function compatibleModeBaseUrl(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return new URL(trimmed).pathname === '/' || new URL(trimmed).pathname === ''
    ? `${trimmed}/compatible-mode/v1`
    : trimmed;
}
