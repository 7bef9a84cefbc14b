import { type Limiter, limiterOptionSchema, type Transport, transportOptionSchema } from '@x/transport';
import { z } from 'zod';

/** DashScope regions that offer temporary storage, and their hosts. */
export const regionBaseUrls = {
  'cn-beijing': 'https://dashscope.aliyuncs.com',
  'ap-southeast-1': 'https://dashscope-intl.aliyuncs.com',
} as const;

/** A region that offers temporary storage: China (Beijing) or Singapore. */
export type TempStorageRegion = keyof typeof regionBaseUrls;

/** Progress of one upload in the file's own bytes (the form's fields and framing are not counted). */
export interface UploadProgress {
  /** Bytes of the file handed to the socket so far in this attempt. */
  readonly loadedBytes: number;
  /** The file's size in bytes. */
  readonly totalBytes: number | undefined;
}

/** Options of `createTempStorage`. */
export interface TempStorageOptions {
  /**
   * DashScope API key of the account the files are for. Files are bound to the account: a model call must use a key
   * of the same account.
   * @default process.env.DASHSCOPE_API_KEY, read at the first request
   */
  apiKey?: string;
  /**
   * Origin of the DashScope API, e.g. `http://127.0.0.1:4010` for an emulator. Overrides `region`.
   * @default the host of `region`
   */
  baseUrl?: string;
  /**
   * Region whose DashScope host is used when `baseUrl` is not given. API keys are per region.
   * @default 'cn-beijing'
   */
  region?: TempStorageRegion;
  /**
   * The HTTP transport to use; it is not closed by `close()`. Give its limiter to the transport itself.
   * @default a transport built for `baseUrl` with Bearer auth, closed by `close()`
   */
  transport?: Transport;
  /**
   * Rate limiter for the transport this storage builds. getPolicy calls are keyed `getPolicy:<account>:<model>`
   * (`<account>` is the start of the API key's SHA-256), so `createModelStudioLimiter()` from `@x/ratelimit`
   * enforces the service's 100 calls per second per account and model, across processes with a Redis store.
   * @default no client-side limit
   */
  limiter?: Limiter;
  /**
   * How long before a policy expires it is replaced by a fresh one (at most half its lifetime).
   * @default 60000
   */
  policyRefreshMarginMs?: number;
}

/** Options of one upload. */
export interface UploadOptions {
  /** The model that will read the file. Files are bound to it: other models cannot read them. */
  model: string;
  /**
   * Name of the object under the policy's folder; made safe and unique (see the README).
   * @default the file's base name for a path or a `File`, otherwise `file`
   */
  fileName?: string;
  /**
   * Content type stored with the object.
   * @default guessed from the name's extension, otherwise `application/octet-stream`
   */
  contentType?: string;
  /** Stops the upload; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called as bytes are handed to the socket. */
  onProgress?: (progress: UploadProgress) => void;
}

/** Progress of one file of a batch. */
export interface UploadManyProgress extends UploadProgress {
  /** Position of the file in the batch. */
  readonly index: number;
}

/** Options of a batch upload. */
export interface UploadManyOptions {
  /** The model that will read the files. */
  model: string;
  /**
   * How many files are uploaded at once.
   * @default 4
   */
  concurrency?: number;
  /** Stops the batch; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called as bytes of any file are handed to the socket. */
  onProgress?: (progress: UploadManyProgress) => void;
}

/** Options of `resolveLocalFiles`. */
export interface ResolveLocalFilesOptions {
  /** The model the messages are for. */
  model: string;
  /**
   * How many files are uploaded at once.
   * @default 4
   */
  concurrency?: number;
  /** Stops the uploads; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called as bytes of any file are handed to the socket; `index` counts distinct local files. */
  onProgress?: (progress: UploadManyProgress) => void;
}

const functionSchema = z.custom<(...parameters: never[]) => unknown>((value) => typeof value === 'function', {
  message: 'Expected a function',
});
const signalSchema = z.custom<AbortSignal>((value) => value instanceof AbortSignal, {
  message: 'Expected an AbortSignal',
});
const modelSchema = z.string().regex(/^\S+$/, 'model must be a model name such as qwen-vl-plus');
const concurrencySchema = z.number().int().min(1).max(64);

/** @internal */
export const tempStorageOptionsSchema = z
  .strictObject({
    apiKey: z.string().trim().min(1).optional(),
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    region: z.enum(Object.keys(regionBaseUrls) as [TempStorageRegion, ...TempStorageRegion[]]).optional(),
    transport: transportOptionSchema.optional(),
    limiter: limiterOptionSchema.optional(),
    policyRefreshMarginMs: z.number().int().min(0).optional(),
  })
  .refine((options) => !(options.transport && options.limiter), {
    message: 'Pass the limiter to createTransport() when you pass your own transport',
    path: ['limiter'],
  });

/** @internal */
export const uploadOptionsSchema = z.strictObject({
  model: modelSchema,
  fileName: z.string().min(1).optional(),
  contentType: z.string().min(1).optional(),
  signal: signalSchema.optional(),
  onProgress: functionSchema.optional(),
});

/** @internal */
export const uploadManyOptionsSchema = z.strictObject({
  model: modelSchema,
  concurrency: concurrencySchema.optional(),
  signal: signalSchema.optional(),
  onProgress: functionSchema.optional(),
});

/** @internal */
export const resolveLocalFilesOptionsSchema = uploadManyOptionsSchema;
