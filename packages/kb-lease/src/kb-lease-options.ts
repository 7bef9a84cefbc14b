import type { AccessKeyCredentials, CredentialsProvider, Limiter, Logger, Transport } from '@x/transport';
import { z } from 'zod';
import type { BailianNetwork, BailianRegion } from './bailian-endpoint.js';
import type { ParserConfig } from './document-checks.js';

/** Options of `createKnowledgeBaseClient`. */
export interface KnowledgeBaseClientOptions {
  /**
   * The workspace (`llm-…`) every call goes to.
   * @default process.env.BAILIAN_WORKSPACE_ID
   */
  workspaceId?: string;
  /**
   * AccessKey credentials, or a provider called before every attempt (for example `alibabaCloudCredentials()` from
   * `@x/transport`, which reads ECS RAM roles, OIDC, `ram_role_arn`, the CLI profile and credentials URIs).
   * @default the transport's chain: `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `_SECURITY_TOKEN`, then
   * `~/.alibabacloud/credentials`
   */
  credentials?: AccessKeyCredentials | CredentialsProvider;
  /**
   * Region whose endpoint is used when `endpoint` is not given (spec §1).
   * @default 'cn-beijing'
   */
  region?: BailianRegion;
  /**
   * `public` or `vpc` endpoint of the region (spec §1).
   * @default 'public'
   */
  network?: BailianNetwork;
  /**
   * A host (sent over HTTPS) or a full URL such as `http://127.0.0.1:4010` for the emulator. Overrides `region` and
   * `network`.
   * @default the endpoint of `region` and `network`
   */
  endpoint?: string;
  /**
   * The HTTP transport for the API calls and the uploads; it is not closed by `close()`.
   * @default a transport for the endpoint with ACS3 signing, the limiter and the logger, closed by `close()`
   */
  transport?: Transport;
  /**
   * The client-side quota limiter. Calls are keyed `applyFileUploadLease:<workspace>`, `addFile:<workspace>`,
   * `describeFile:<workspace>`, `listFile:<workspace>` and `getIndexJobStatus:<workspace>`, the keys of
   * `createModelStudioLimiter()` from `@x/ratelimit`; give it a Redis store to share the quotas between processes.
   * @default `createModelStudioLimiter()`: the documented quotas (spec §9) in this process, each window held 100 ms
   * longer than documented, owned by this client and closed by `close()`
   */
  limiter?: Limiter;
  /** Where requests, retries and lookups are logged; lines never carry a secret. @default undefined (silent) */
  logger?: Logger;
  /**
   * Largest document accepted, overriding spec §9's per-type limits (for services or emulators that allow more).
   * @default the per-type limits of spec §9 (100 MB; 20 MB for Excel and images)
   */
  maxFileSizeBytes?: number;
}

/** The category type of a document (spec §3.1). */
export type CategoryType = 'UNSTRUCTURED' | 'SESSION_FILE';

/** Progress of one document's upload, in the document's own bytes. */
export interface DocumentProgress {
  /** Bytes of the document handed to the socket so far. */
  readonly loadedBytes: number;
  /** The document's size. */
  readonly totalBytes: number | undefined;
}

/** Options of `uploadDocument`. */
export interface UploadDocumentOptions {
  /**
   * The category the document goes to; SESSION_FILE documents use `default`.
   * @default 'default'
   */
  categoryId?: string;
  /**
   * `UNSTRUCTURED` (knowledge base) or `SESSION_FILE` (a file for one conversation, ready at `FILE_IS_READY`).
   * @default 'UNSTRUCTURED'
   */
  categoryType?: CategoryType;
  /**
   * The parser (spec §3.3): `DOCMIND`, `DOCMIND_DIGITAL`, `DOCMIND_LLM_VERSION`, `DASH_QWEN_VL_PARSER`,
   * `DOCMIND_LLM_VERSION_MEDIA`, `DASHSCOPE_DOCMIND` or `AUTO_SELECT`.
   * @default 'AUTO_SELECT'
   */
  parser?: string;
  /** Tags, each 1-32 Unicode letters, digits, `_` or `-` (seed 001). @default undefined (none) */
  tags?: readonly string[];
  /** The URL agents cite as the document's source (`OriginalFileUrl`). @default undefined */
  originalFileUrl?: string;
  /** Settings of the Qwen-VL parser, sent as the `ParserConfig` JSON string. @default undefined */
  parserConfig?: ParserConfig;
  /**
   * The document's name with its extension, sent as `FileName` (4-128 characters).
   * @default the path's base name, or the URL's last path segment
   */
  fileName?: string;
  /**
   * The document's MD5 (hex), when known: saves a first read of the source.
   * @default from `Content-MD5`, an OSS plain upload's ETag, or a first streamed pass
   */
  md5?: string;
  /** A knowledge-base index to add the parsed document to, waiting until it is `FINISH`. @default undefined */
  indexId?: string;
  /**
   * Wait until the document is parsed (`PARSE_SUCCESS`, or `FILE_IS_READY` for SESSION_FILE). Forced on with
   * `indexId`.
   * @default true
   */
  wait?: boolean;
  /**
   * How long to wait for parsing (and indexing), in milliseconds; then `PollTimeoutError` (code `TIMEOUT`).
   * @default 3600000 (one hour; parsing can take hours at peak, seed 000)
   */
  timeoutMs?: number;
  /**
   * The first wait between two DescribeFile polls, in milliseconds; it grows to `maxPollIntervalMs` (spec §10.5).
   * @default 1000
   */
  pollIntervalMs?: number;
  /** The longest wait between two polls, in milliseconds. @default 15000 */
  maxPollIntervalMs?: number;
  /** Aborts the upload and the waits; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called as bytes of the document are handed to the socket. */
  onProgress?: (progress: DocumentProgress) => void;
}

/** Options of `waitUntilParsed`. */
export interface WaitUntilParsedOptions {
  /**
   * The file's category type, which names the state it is ready in (spec §3.4): `PARSE_SUCCESS` for `UNSTRUCTURED`,
   * `FILE_IS_READY` for `SESSION_FILE`.
   * @default 'UNSTRUCTURED'
   */
  categoryType?: CategoryType;
  /**
   * How long to wait, in milliseconds, from the first DescribeFile; then `PollTimeoutError` (code `TIMEOUT`).
   * @default 3600000 (one hour; parsing can take hours at peak, seed 000)
   */
  timeoutMs?: number;
  /**
   * The first wait between two DescribeFile polls, in milliseconds; it doubles up to `maxPollIntervalMs` (spec §10.5).
   * @default 1000
   */
  pollIntervalMs?: number;
  /** The longest wait between two polls, in milliseconds. @default 15000 */
  maxPollIntervalMs?: number;
  /** Aborts the wait, also between polls; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

const functionSchema = z.custom<(...parameters: never[]) => unknown>((value) => typeof value === 'function', {
  message: 'Expected a function',
});
const signalSchema = z.custom<AbortSignal>((value) => value instanceof AbortSignal, {
  message: 'Expected an AbortSignal',
});
const positiveInteger = z.number().int().positive();

/** @internal */
export const clientOptionsSchema = z
  .object({
    workspaceId: z.string().min(1).optional(),
    credentials: z.union([functionSchema, z.object({}).passthrough()]).optional(),
    region: z.enum(['cn-beijing', 'ap-southeast-1', 'cn-shanghai-finance-1']).optional(),
    network: z.enum(['public', 'vpc']).optional(),
    endpoint: z.string().min(1).optional(),
    transport: z.object({ request: functionSchema }).passthrough().optional(),
    limiter: z.object({ acquire: functionSchema }).passthrough().optional(),
    logger: z.object({}).passthrough().optional(),
    maxFileSizeBytes: positiveInteger.optional(),
  })
  .strict();

/** @internal */
export const uploadDocumentOptionsSchema = z
  .object({
    categoryId: z.string().min(1).optional(),
    categoryType: z.enum(['UNSTRUCTURED', 'SESSION_FILE']).optional(),
    parser: z
      .string()
      .regex(/^[A-Z_]+$/, 'parser must be a parser name such as AUTO_SELECT')
      .optional(),
    tags: z.array(z.string()).optional(),
    originalFileUrl: z.string().min(1).optional(),
    parserConfig: z.object({}).passthrough().optional(),
    fileName: z.string().optional(),
    md5: z
      .string()
      .regex(/^[0-9a-fA-F]{32}$/, 'md5 must be 32 hex characters')
      .optional(),
    indexId: z.string().min(1).optional(),
    wait: z.boolean().optional(),
    timeoutMs: positiveInteger.optional(),
    pollIntervalMs: positiveInteger.optional(),
    maxPollIntervalMs: positiveInteger.optional(),
    signal: signalSchema.optional(),
    onProgress: functionSchema.optional(),
  })
  .strict();

/** @internal */
export const waitUntilParsedOptionsSchema = z
  .object({
    categoryType: z.enum(['UNSTRUCTURED', 'SESSION_FILE']).optional(),
    timeoutMs: positiveInteger.optional(),
    pollIntervalMs: positiveInteger.optional(),
    maxPollIntervalMs: positiveInteger.optional(),
    signal: signalSchema.optional(),
  })
  .strict();
