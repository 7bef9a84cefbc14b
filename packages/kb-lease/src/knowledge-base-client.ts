import { createModelStudioLimiter } from '@x/ratelimit';
import { acs3, checkOptions, createClientResources, createTransport, InvalidInputError } from '@x/transport';
import { bailianBaseUrl } from './bailian-endpoint.js';
import {
  type AddCategoryOptions,
  addCategory,
  deleteCategory,
  type ListCategoriesOptions,
  listCategories,
} from './category-calls.js';
import type { ClientContext } from './client-context.js';
import { createApiCaller } from './data-center-call.js';
import type { DocumentInput } from './document-source.js';
import { deleteFile, describeFile, type ListFilesOptions, listFiles, updateTags } from './file-calls.js';
import {
  addDocumentsToIndex,
  type CreateIndexOptions,
  createIndex,
  deleteIndexDocuments,
  type ListIndexDocumentsOptions,
  listIndexDocuments,
  type WaitForIndexJobOptions,
  waitForIndexJob,
} from './index-calls.js';
import type { CategoryData, FileData, IndexDocument, IndexJobStatusData } from './kb-lease-api.js';
import {
  clientOptionsSchema,
  type KnowledgeBaseClientOptions,
  type UploadDocumentOptions,
  uploadDocumentOptionsSchema,
  type WaitUntilParsedOptions,
  waitUntilParsedOptionsSchema,
} from './kb-lease-options.js';
import { type UpdatedDocument, updateDocument } from './update-document.js';
import { type KnowledgeBaseDocument, uploadDocument } from './upload-document.js';
import {
  type UploadManyItem,
  type UploadManyOptions,
  type UploadManyResult,
  uploadMany,
} from './upload-many.js';
import { uploadManyOptionsSchema } from './upload-many-options.js';
import { waitUntilParsed } from './wait-until-parsed.js';

/** Options that only abort. */
export interface SignalOptions {
  /** Aborts the call; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** A client of one Bailian workspace's data center and knowledge-base indexes. */
export interface KnowledgeBaseClient {
  /** The workspace every call goes to. */
  readonly workspaceId: string;
  /**
   * Takes a document from a path or an `http(s)://` URL to `PARSE_SUCCESS` (or `FILE_IS_READY` for a SESSION_FILE),
   * and into `indexId` when given, adding it exactly once (see the README's "Exactly once").
   *
   * @throws `InvalidInputError` (from `@x/transport`) before any call: `INVALID_FILE_NAME`, `UNSUPPORTED_FILE_TYPE`,
   * `FILE_TOO_LARGE`, `FILE_EMPTY`, `INVALID_TAGS`, `INVALID_PARSER_CONFIG`, `INVALID_OPTIONS`, `FILE_NOT_FOUND`,
   * `INVALID_CATEGORY_ID` / `INVALID_INDEX_ID` (an id outside 1 to 128 letters, digits, `_` and `-`);
   * `FILE_CHANGED` when the bytes sent do not hash to the declared MD5 (AddFile is then never called).
   * @throws {@link KnowledgeBaseError} `PARSE_FAILED` / `FILE_FAILED` with the parse message, `INDEX_JOB_FAILED`,
   * `SERVICE_FAILURE` (a 200 with `Success: false`), `ADD_FILE_UNCERTAIN`.
   * @throws `HttpStatusError` for refusals, with seed 000's hints; `PollTimeoutError` after `timeoutMs`;
   * `signal.reason` when aborted.
   */
  uploadDocument(source: DocumentInput, options?: UploadDocumentOptions): Promise<KnowledgeBaseDocument>;
  /**
   * Uploads a new version of a file: the new one is parsed (and indexed with `indexId`) first, then the old one is
   * removed from the index and deleted. On failure the old one stays.
   *
   * @throws Everything {@link KnowledgeBaseClient.uploadDocument} throws; `InvalidInputError` `INVALID_FILE_ID` first.
   */
  updateDocument(
    fileId: string,
    source: DocumentInput,
    options?: UploadDocumentOptions,
  ): Promise<UpdatedDocument>;
  /**
   * Uploads many documents, `concurrency` at a time, AddFile under its quota through the limiter, with an optional
   * manifest that makes an interrupted batch resumable. Every document gets a result in the `Promise.allSettled`
   * shape.
   *
   * @throws `InvalidInputError` `INVALID_OPTIONS`; `signal.reason` when aborted (the manifest keeps what was done).
   */
  uploadMany(
    sources: readonly (DocumentInput | UploadManyItem)[],
    options?: UploadManyOptions,
  ): Promise<UploadManyResult[]>;
  /**
   * DescribeFile: the file with every field the service sent.
   * @throws `InvalidInputError` `INVALID_FILE_ID` before any call (an id outside 1 to 128 letters, digits, `_` and
   * `-`: the documented form is `file_<32hex>_<digits>`, spec §3.3); `HttpStatusError` (400 `InvalidParameter` for an
   * unknown or deleted FileId); {@link KnowledgeBaseError}
   */
  describeFile(fileId: string, options?: SignalOptions): Promise<FileData>;
  /**
   * Polls DescribeFile until the file is parsed: `PARSE_SUCCESS`, or `FILE_IS_READY` with `categoryType:
   * 'SESSION_FILE'` (spec §3.4), waiting through `INIT`, `IN_PARSE_QUEUE`, `PARSING` and the SESSION_FILE states.
   * Polls gently and backs off as `uploadDocument` does (from `pollIntervalMs`, 1 s, doubling up to
   * `maxPollIntervalMs`, 15 s: spec §10.5), each poll under the `describeFile` quota (10/s, spec §9). For a document
   * uploaded with `wait: false`, or added by an earlier run.
   *
   * @returns DescribeFile's answer in the ready state, every field kept.
   * @throws `InvalidInputError` `INVALID_FILE_ID` or `INVALID_OPTIONS` before any call.
   * @throws {@link KnowledgeBaseError} `PARSE_FAILED` (or `FILE_FAILED` for `SAFE_CHECK_FAILED`,
   * `INDEX_BUILDING_FAILED`, `INDEX_DELETED`, `FILE_EXPIRED`), with the file's `ParseErrorMessage`, `fileId` and
   * `status`; `HttpStatusError` (400 `InvalidParameter` for an unknown or deleted FileId); `PollTimeoutError` (code
   * `TIMEOUT`) after `timeoutMs`; `signal.reason` when aborted.
   */
  waitUntilParsed(fileId: string, options?: WaitUntilParsedOptions): Promise<FileData>;
  /**
   * ListFile as an async iterator over every page (`NextToken`).
   * @throws `InvalidInputError` `INVALID_CATEGORY_ID`, `INVALID_FILE_ID`; `HttpStatusError`
   */
  listFiles(options?: ListFilesOptions): AsyncIterable<FileData>;
  /**
   * DeleteFile.
   * @throws `InvalidInputError` `INVALID_FILE_ID` before any call; `HttpStatusError` (400 `InvalidParameter` while the
   * file is parsing, or for an unknown or deleted FileId)
   */
  deleteFile(fileId: string, options?: SignalOptions): Promise<void>;
  /** UpdateFileTag: replaces the tags. @throws `InvalidInputError` `INVALID_FILE_ID`, `INVALID_TAGS`; `HttpStatusError` */
  updateTags(fileId: string, tags: readonly string[], options?: SignalOptions): Promise<void>;
  /** AddCategory (UNSTRUCTURED). @throws `InvalidInputError` `INVALID_CATEGORY_NAME`, `HttpStatusError` */
  addCategory(options: AddCategoryOptions): Promise<{ categoryId: string; categoryName: string }>;
  /** ListCategory as an async iterator. @throws `HttpStatusError` */
  listCategories(options?: ListCategoriesOptions): AsyncIterable<CategoryData>;
  /** DeleteCategory. @throws `InvalidInputError` `INVALID_CATEGORY_ID`; `HttpStatusError` */
  deleteCategory(categoryId: string, options?: SignalOptions): Promise<void>;
  /**
   * CreateIndex and SubmitIndexJob (spec §10.10).
   * @throws `InvalidInputError` (`INVALID_INDEX_NAME`, `INVALID_INDEX_SOURCE`, `INVALID_FILE_ID`,
   * `INVALID_CATEGORY_ID`); `HttpStatusError`
   */
  createIndex(options: CreateIndexOptions): Promise<{ indexId: string; jobId: string }>;
  /**
   * SubmitIndexAddDocumentsJob.
   * @throws `InvalidInputError` `INVALID_INDEX_ID`, `INVALID_DOCUMENT_IDS`, `INVALID_FILE_ID`; `HttpStatusError`
   */
  addDocumentsToIndex(
    indexId: string,
    documentIds: readonly string[],
    options?: SignalOptions,
  ): Promise<{ jobId: string }>;
  /**
   * Polls GetIndexJobStatus (at least 5 s apart, 20/min) until the job completes and each document is `FINISH`.
   * @throws `InvalidInputError` `INVALID_INDEX_ID`, `INVALID_JOB_ID`, `INVALID_FILE_ID` before any call;
   * {@link KnowledgeBaseError} `INDEX_JOB_FAILED`; `PollTimeoutError`; `signal.reason`
   */
  waitForIndexJob(
    indexId: string,
    jobId: string,
    options?: WaitForIndexJobOptions,
  ): Promise<IndexJobStatusData>;
  /** ListIndexDocuments as an async iterator over every page. @throws `InvalidInputError` `INVALID_INDEX_ID`; `HttpStatusError` */
  listIndexDocuments(indexId: string, options?: ListIndexDocumentsOptions): AsyncIterable<IndexDocument>;
  /**
   * DeleteIndexDocument.
   * @throws `InvalidInputError` `INVALID_INDEX_ID`, `INVALID_DOCUMENT_IDS`, `INVALID_FILE_ID`; `HttpStatusError`
   */
  deleteIndexDocuments(
    indexId: string,
    documentIds: readonly string[],
    options?: SignalOptions,
  ): Promise<void>;
  /**
   * Closes the transport and the limiter this client built (not ones passed in). Every call after it is refused
   * with `InvalidInputError` `CLIENT_CLOSED` before anything is sent.
   */
  close(): Promise<void>;
}

/**
 * Creates a client of a Bailian workspace. The endpoint comes from `region` and `network` (spec §1) unless
 * `endpoint` is given; calls are signed with ACS3-HMAC-SHA256 and kept under the documented quotas.
 *
 * @throws `InvalidInputError` (from `@x/transport`): `WORKSPACE_ID_MISSING` when neither `workspaceId` nor
 * `BAILIAN_WORKSPACE_ID` is set, `INVALID_ENDPOINT`, `INVALID_OPTIONS`.
 * @example
 * ```ts
 * const client = createKnowledgeBaseClient({ workspaceId: 'llm-xxx', region: 'cn-beijing' });
 * const document = await client.uploadDocument('handbook.pdf', { tags: ['hr'] });
 * console.log(document.fileId, document.status); // 'file_…', 'PARSE_SUCCESS'
 * await client.close();
 * ```
 */
export function createKnowledgeBaseClient(options: KnowledgeBaseClientOptions = {}): KnowledgeBaseClient {
  const parsed = checkOptions(clientOptionsSchema, options, 'createKnowledgeBaseClient');
  const workspaceId = parsed.workspaceId ?? process.env.BAILIAN_WORKSPACE_ID?.trim();
  if (!workspaceId) {
    throw new InvalidInputError(
      'WORKSPACE_ID_MISSING',
      'createKnowledgeBaseClient: pass workspaceId or set BAILIAN_WORKSPACE_ID (the llm-… id of the workspace)',
    );
  }
  const resources = createClientResources({
    name: 'knowledge-base client',
    transport: parsed.transport,
    limiter: parsed.limiter,
    defaultLimiter: createDefaultLimiter,
    defaultTransport: (limiter) =>
      createTransport({
        baseUrl: bailianBaseUrl(parsed),
        auth: acs3(parsed.credentials),
        limiter,
        userAgent: `x-kb-lease/${__PACKAGE_VERSION__}`,
        ...(parsed.logger ? { logger: parsed.logger } : {}),
      }),
  });
  const { transport, assertOpen } = resources;
  const callApi = createApiCaller(transport, workspaceId);
  const context: ClientContext = {
    // A closed client sends nothing more, whichever call (or step of an upload) asks.
    call: async (call) => {
      assertOpen();
      return callApi(call);
    },
    transport,
    workspaceId,
    limitKey: (quota) => `${quota}:${workspaceId}`,
    logger: parsed.logger ?? {},
    maxFileSizeBytes: parsed.maxFileSizeBytes,
    claimedFileIds: new Set(),
  };
  return {
    workspaceId,
    async uploadDocument(source, uploadOptions = {}) {
      checkOptions(uploadDocumentOptionsSchema, uploadOptions, 'uploadDocument');
      assertOpen();
      return uploadDocument(context, source, uploadOptions);
    },
    async updateDocument(fileId, source, uploadOptions = {}) {
      checkOptions(uploadDocumentOptionsSchema, uploadOptions, 'updateDocument');
      assertOpen();
      return updateDocument(context, fileId, source, uploadOptions);
    },
    async uploadMany(sources, manyOptions = {}) {
      checkOptions(uploadManyOptionsSchema, manyOptions, 'uploadMany');
      assertOpen();
      if (!Array.isArray(sources))
        throw new InvalidInputError('INVALID_OPTIONS', 'uploadMany: sources must be an array');
      return uploadMany(context, sources, manyOptions);
    },
    describeFile: (fileId, callOptions = {}) => describeFile(context, fileId, callOptions.signal),
    async waitUntilParsed(fileId, waitOptions = {}) {
      checkOptions(waitUntilParsedOptionsSchema, waitOptions, 'waitUntilParsed');
      assertOpen();
      return waitUntilParsed(context, fileId, waitOptions);
    },
    listFiles: (listOptions) => listFiles(context, listOptions),
    deleteFile: (fileId, callOptions = {}) => deleteFile(context, fileId, callOptions.signal),
    updateTags: (fileId, tags, callOptions = {}) => updateTags(context, fileId, tags, callOptions.signal),
    addCategory: (categoryOptions) => addCategory(context, categoryOptions),
    listCategories: (listOptions) => listCategories(context, listOptions),
    deleteCategory: (categoryId, callOptions = {}) => deleteCategory(context, categoryId, callOptions.signal),
    createIndex: (indexOptions) => createIndex(context, indexOptions),
    addDocumentsToIndex: (indexId, documentIds, callOptions = {}) =>
      addDocumentsToIndex(context, indexId, documentIds, callOptions.signal),
    waitForIndexJob: (indexId, jobId, waitOptions) => waitForIndexJob(context, indexId, jobId, waitOptions),
    listIndexDocuments: (indexId, listOptions) => listIndexDocuments(context, indexId, listOptions),
    deleteIndexDocuments: (indexId, documentIds, callOptions = {}) =>
      deleteIndexDocuments(context, indexId, documentIds, callOptions.signal),
    close: resources.close,
  };
}

/**
 * The documented quotas (spec §9: ApplyFileUploadLease, AddFile and DescribeFile 10/s, ListFile 5/s,
 * GetIndexJobStatus 20/min) in memory. The store holds each window `defaultWindowMarginMs` (100 ms) longer than
 * documented: the client counts a call when it leaves, the service when it arrives, and the margin absorbs the
 * difference between the two.
 */
function createDefaultLimiter() {
  return createModelStudioLimiter();
}
