import {
  type Limiter,
  type Logger,
  limiterOptionSchema,
  type RetryOptions,
  type Transport,
  transportOptionSchema,
} from '@x/transport';
import { z } from 'zod';

/**
 * The compatible-mode base URL of each region (seed 003: "新加坡地區" and "北京地區"). API keys are per region: a
 * Beijing key does not work in Singapore.
 */
export const regionBaseUrls = {
  'cn-beijing': 'https://dashscope.aliyuncs.com/compatible-mode/v1',
  'ap-southeast-1': 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
} as const;

/** A region of the Files API: China (Beijing) or Singapore, named as `@x/temp-oss` names them. */
export type FilesRegion = keyof typeof regionBaseUrls;

/** Purposes an upload can have (seed 003, "參數說明": `file-extract` or `batch`). */
export type UploadPurpose = 'file-extract' | 'batch';

/** Size limits checked before an upload is sent. */
export interface FilesLimits {
  /**
   * Largest `file-extract` file, in bytes (seed 003: "單個檔案最大為 150 MB", read as MiB as the service does).
   * @default 157286400
   */
  readonly fileExtractMaxBytes?: number;
  /**
   * Largest `batch` file, in bytes (seed 003: "上傳Batch任務的單個檔案最大為500 MB").
   * @default 524288000
   */
  readonly batchMaxBytes?: number;
}

/** The documented limits (seed 003). */
export const defaultFilesLimits: Required<FilesLimits> = Object.freeze({
  fileExtractMaxBytes: 150 * 1024 * 1024,
  batchMaxBytes: 500 * 1024 * 1024,
});

/** Options of `createFilesClient`. */
export interface FilesClientOptions {
  /**
   * The Model Studio API key (region-specific). Never appears in an error, a log line or `toJSON()`.
   * @default process.env.DASHSCOPE_API_KEY, read at the first request
   */
  apiKey?: string;
  /**
   * Region whose base URL is used when `baseUrl` is not given.
   * @default 'cn-beijing'
   */
  region?: FilesRegion;
  /**
   * The compatible-mode base URL (`https://…/compatible-mode/v1`), or just an origin such as an emulator's
   * `http://127.0.0.1:4010`, to which `/compatible-mode/v1` is added. Overrides `region`; use it for workspace
   * domains (`https://{WorkspaceId}.cn-beijing.maas.aliyuncs.com/compatible-mode/v1`).
   * @default the base URL of `region`
   */
  baseUrl?: string;
  /**
   * The HTTP transport to use, built with `createTransport` for the compatible-mode base URL and Bearer auth. It is
   * not closed by `close()`; give it its own limiter.
   * @default a transport built for `baseUrl`, closed by `close()`
   */
  transport?: Transport;
  /**
   * Client-side rate limiter consulted before every attempt, under the keys `filesUpload:<account>` (uploads, 3 per
   * second) and `files:<account>` (retrieve, list, delete and content together, 10 per second), the quotas of seed
   * 003 ("限流"); `<account>` is the start of the API key's SHA-256. `false` turns client-side limiting off.
   * @default an in-memory `@x/ratelimit` limiter of these two quotas (`createModelStudioLimiter()`: each window held
   * 100 ms longer than a second, a margin for the time a call takes to reach the service), owned by this client
   */
  limiter?: Limiter | false;
  /**
   * Retry policy of the transport this client builds (attempts, backoff, `Retry-After`).
   * @default { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 8000 }
   */
  retry?: RetryOptions | false;
  /**
   * Size limits checked before an upload; raise them only if the service raised them for your account.
   * @default defaultFilesLimits (150 MB file-extract, 500 MB batch)
   */
  limits?: FilesLimits;
  /**
   * Where attempts and retries are logged; lines never carry a secret.
   * @default undefined (silent)
   */
  logger?: Logger;
}

/** Progress of one upload, in the file's own bytes (the multipart envelope is not counted). */
export interface UploadProgress {
  /** Bytes of the file handed to the socket so far in this attempt. */
  readonly loadedBytes: number;
  /** The file's size in bytes. */
  readonly totalBytes: number;
}

/** Options of one upload. */
export interface UploadOptions {
  /** `file-extract` (documents for Qwen-Long and Qwen-Doc-Turbo) or `batch` (Batch input JSONL); seed 003. */
  purpose: UploadPurpose;
  /**
   * The file name sent; the service infers the type from its extension (spec openai-files.md).
   * @default the path's base name or the `File`'s name; required for bytes and streams
   */
  fileName?: string;
  /**
   * Check a `batch` file line by line before sending it (one extra read of the file). A bare, one-shot stream
   * cannot be read twice: pass a function that reopens it, or set this to `false`.
   * @default true
   */
  checkBatchInput?: boolean;
  /** Stops the upload; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called as bytes of the file are handed to the socket. */
  onProgress?: (progress: UploadProgress) => void;
}

/** Progress of one file of a batch upload. */
export interface UploadManyProgress extends UploadProgress {
  /** Position of the file in the list given to `uploadMany`. */
  readonly index: number;
}

/** Options of `uploadMany`. */
export interface UploadManyOptions {
  /** The purpose of every file. */
  purpose: UploadPurpose;
  /**
   * How many uploads run at once; the limiter still keeps starts to 3 per second.
   * @default 3
   */
  concurrency?: number;
  /** Check `batch` files before sending them (see `UploadOptions.checkBatchInput`). @default true */
  checkBatchInput?: boolean;
  /** Stops the batch; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called as bytes of any file are handed to the socket. */
  onProgress?: (progress: UploadManyProgress) => void;
}

/**
 * A `create_before` / `create_after` bound: a `Date`, or a string in one of the documented forms `20250306123000`,
 * `2025-11-12 10:10:10`, `2025-11-12` or `20251112` (seed 003, "參數說明"). The service reads strings in its own
 * time zone, UTC+8; a `Date` is converted to UTC+8 and sent as `yyyyMMddHHmmss`.
 */
export type CreatedTime = Date | string;

/** Filters of `list` and `listAll`. */
export interface ListFilters {
  /** Only files with this purpose. @default every purpose */
  purpose?: 'file-extract' | 'batch' | 'batch_output';
  /** Only files created before this instant (UTC+8 for strings). @default no bound */
  createdBefore?: CreatedTime;
  /** Only files created after this instant (UTC+8 for strings). @default no bound */
  createdAfter?: CreatedTime;
  /**
   * Files per page, 1 to 2000 (seed 003).
   * @default 2000 (the service's default)
   */
  limit?: number;
  /** Stops the call; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Options of `list`: the filters and the cursor. */
export interface ListOptions extends ListFilters {
  /** The last file id of the previous page; the page starts after it. @default the first page */
  after?: string;
}

/** Options of `listAll`. */
export interface ListAllOptions extends ListFilters {
  /** Start after this file id instead of at the newest file. @default the first page */
  after?: string;
}

/** Options of `retrieve`, `delete`, `content` and `download`. */
export interface CallOptions {
  /** Stops the call; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Options of `download`. */
export interface DownloadOptions {
  /** Stops the download; nothing is left at the path or beside it, and the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /**
   * Replace a file already at the path. Without it, an existing file is refused before anything is requested
   * (`FILE_EXISTS`), and one that appears during the download is not replaced either.
   * @default false
   */
  overwrite?: boolean;
}

/** Options of `waitUntilProcessed`. */
export interface WaitOptions {
  /** Stops waiting; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /**
   * How long to wait in all before giving up with a `TimeoutError`.
   * @default 600000 (10 minutes)
   */
  timeoutMs?: number;
  /**
   * The first wait between two retrieve calls; it doubles up to `maxIntervalMs`.
   * @default 500
   */
  intervalMs?: number;
  /**
   * The longest wait between two retrieve calls.
   * @default 5000
   */
  maxIntervalMs?: number;
}

const functionSchema = z.custom<(...parameters: never[]) => unknown>((value) => typeof value === 'function', {
  message: 'Expected a function',
});
const signalSchema = z.custom<AbortSignal>((value) => value instanceof AbortSignal, {
  message: 'Expected an AbortSignal',
});
// Source: seed 003.
const purposeSchema = z.enum(['file-extract', 'batch'], {
  message: 'purpose must be "file-extract" or "batch"',
});
const createdTimeSchema = z.union([z.date(), z.string()]);

/** @internal */
export const filesClientOptionsSchema = z
  .strictObject({
    apiKey: z.string().trim().min(1).optional(),
    region: z.enum(Object.keys(regionBaseUrls) as [FilesRegion, ...FilesRegion[]]).optional(),
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    transport: transportOptionSchema.optional(),
    limiter: z.union([z.literal(false), limiterOptionSchema]).optional(),
    retry: z.union([z.literal(false), z.object({}).passthrough()]).optional(),
    limits: z
      .strictObject({
        fileExtractMaxBytes: z.number().int().positive().optional(),
        batchMaxBytes: z.number().int().positive().optional(),
      })
      .optional(),
    logger: z.object({}).passthrough().optional(),
  })
  .refine((options) => !(options.transport && options.limiter !== undefined), {
    message: 'Pass the limiter to createTransport() when you pass your own transport',
    path: ['limiter'],
  })
  .refine((options) => !(options.transport && options.retry !== undefined), {
    message: 'Pass the retry policy to createTransport() when you pass your own transport',
    path: ['retry'],
  });

/** @internal */
export const uploadOptionsSchema = z.strictObject({
  purpose: purposeSchema,
  fileName: z.string().min(1).optional(),
  checkBatchInput: z.boolean().optional(),
  signal: signalSchema.optional(),
  onProgress: functionSchema.optional(),
});

/** @internal */
export const uploadManyOptionsSchema = z.strictObject({
  purpose: purposeSchema,
  concurrency: z.number().int().min(1).max(64).optional(),
  checkBatchInput: z.boolean().optional(),
  signal: signalSchema.optional(),
  onProgress: functionSchema.optional(),
});

const listFilterShape = {
  purpose: z.enum(['file-extract', 'batch', 'batch_output']).optional(),
  createdBefore: createdTimeSchema.optional(),
  createdAfter: createdTimeSchema.optional(),
  limit: z.number().int().min(1).max(2000).optional(),
  signal: signalSchema.optional(),
  after: z.string().min(1).optional(),
};

/** @internal */
export const listOptionsSchema = z.strictObject(listFilterShape);

/** @internal */
export const callOptionsSchema = z.strictObject({ signal: signalSchema.optional() });

/** @internal */
export const downloadOptionsSchema = z.strictObject({
  signal: signalSchema.optional(),
  overwrite: z.boolean().optional(),
});

/** @internal */
export const waitOptionsSchema = z.strictObject({
  signal: signalSchema.optional(),
  timeoutMs: z.number().int().positive().optional(),
  intervalMs: z.number().int().positive().optional(),
  maxIntervalMs: z.number().int().positive().optional(),
});
