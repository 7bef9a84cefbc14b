import { HttpStatusError, none, type UploadProgress } from '@x/transport';
import { type AddFileFields, type AddFileOutcome, addFileOnce, findAdded } from './add-file-once.js';
import { checkId } from './check-id.js';
import type { ClientContext } from './client-context.js';
import { checkDocumentSize, checkFileName, checkParserConfig, checkTags } from './document-checks.js';
import { type DocumentInput, type DocumentSource, resolveDocumentSource } from './document-source.js';
import { addDocumentsToIndex, waitForIndexJob } from './index-calls.js';
import { type FileData, leaseDataSchema } from './kb-lease-api.js';
import type { CategoryType, UploadDocumentOptions } from './kb-lease-options.js';
import { KnowledgeBaseError } from './knowledge-base-error.js';
import { parseLeaseHeaders } from './lease-headers.js';
import { waitUntilParsed } from './wait-until-parsed.js';

/** A document in the knowledge base. */
export interface KnowledgeBaseDocument {
  /** `FileId`: save it for DescribeFile, DeleteFile and indexes. */
  readonly fileId: string;
  /** `FileName` as sent to the lease. */
  readonly fileName: string;
  /** The category it is in. */
  readonly categoryId: string;
  /** `UNSTRUCTURED` or `SESSION_FILE`. */
  readonly categoryType: CategoryType;
  /** Bytes uploaded. */
  readonly sizeBytes: number;
  /** The MD5 declared to the lease (hex). */
  readonly md5: string;
  /** The parser AddFile reported. */
  readonly parser: string | undefined;
  /** The last status seen: `PARSE_SUCCESS`, `FILE_IS_READY`, or the state it was in when not waited for. */
  readonly status: string | undefined;
  /** DescribeFile's last answer, every field kept, when the upload waited. */
  readonly file: FileData | undefined;
  /** The index the document was added to, with `indexId`. */
  readonly indexId: string | undefined;
  /** The SubmitIndexAddDocumentsJob job, with `indexId`. */
  readonly indexJobId: string | undefined;
  /** Leases taken (more than 1 after an expired URL or an AddFile that had to start over). */
  readonly leases: number;
  /** True when an ambiguous AddFile was found to have succeeded by looking the document up. */
  readonly wasFoundByLookup: boolean;
}

/** What a batch learns as one document moves on, to record it in its manifest. @internal */
export interface UploadHooks {
  /** Called once the MD5 is known, before the first lease. */
  onMd5?(md5: string, sizeBytes: number): Promise<void> | void;
  /** Called when a lease is taken, before its AddFile can happen. */
  onLeased?(leaseId: string): Promise<void> | void;
  /** Called when AddFile added the document. */
  onAdded?(fileId: string): Promise<void> | void;
  /** A lease a previous run took and may have used: looked up before taking a new one. */
  resumeLeaseId?: string;
}

/** Starts over (new lease, new PUT) after AddFile provably did not add the document, at most this often. */
const maxLeases = 4;

/**
 * One document from a path or URL to `PARSE_SUCCESS` (and into an index), exactly once: checks -> MD5 ->
 * ApplyFileUploadLease -> PUT with exactly the lease's method, URL and headers -> AddFile once -> DescribeFile until
 * parsed -> SubmitIndexAddDocumentsJob and GetIndexJobStatus until `FINISH`.
 *
 * @internal
 */
export async function uploadDocument(
  context: ClientContext,
  input: DocumentInput,
  options: UploadDocumentOptions,
  hooks: UploadHooks = {},
): Promise<KnowledgeBaseDocument> {
  const {
    categoryType = 'UNSTRUCTURED',
    parser = 'AUTO_SELECT',
    tags,
    originalFileUrl,
    parserConfig,
    indexId,
    signal,
    onProgress,
  } = options;
  const categoryId = options.categoryId ?? 'default';
  const wait = indexId !== undefined || options.wait !== false;
  signal?.throwIfAborted();
  checkId('CategoryId', categoryId);
  if (indexId !== undefined) checkId('IndexId', indexId);
  if (tags) checkTags(tags);
  if (parserConfig) checkParserConfig(parserConfig);
  if (categoryType === 'SESSION_FILE' && categoryId !== 'default') {
    // Source: spec §3.3.
    throw new KnowledgeBaseError(
      'INVALID_CATEGORY',
      `SESSION_FILE documents go to the default category, not ${categoryId}`,
    );
  }
  const source = await resolveDocumentSource(input, { md5: options.md5, signal });
  const fileName = options.fileName ?? source.fileName ?? '';
  checkFileName(fileName);
  checkDocumentSize(fileName, source.sizeBytes, context.maxFileSizeBytes);
  const md5 = await source.md5(signal);
  await hooks.onMd5?.(md5, source.sizeBytes);

  const fields: AddFileFields = {
    CategoryId: categoryId,
    CategoryType: categoryType,
    OriginalFileUrl: originalFileUrl,
    Parser: parser,
    ParserConfig: parserConfig ? JSON.stringify(parserConfig) : undefined,
    Tags: tags ? JSON.stringify(tags) : undefined,
  };
  let leases = 0;
  let lastReason: unknown;
  let resumed =
    hooks.resumeLeaseId === undefined
      ? undefined
      : await findAdded(context, {
          leaseId: hooks.resumeLeaseId,
          categoryId,
          fileName,
          sizeBytes: source.sizeBytes,
          signal,
        });
  for (;;) {
    let outcome: AddFileOutcome;
    if (resumed) {
      outcome = {
        kind: 'added',
        fileId: resumed.FileId,
        parser: resumed.Parser ?? undefined,
        wasFound: true,
      };
      resumed = undefined;
    } else {
      if (leases >= maxLeases) throw lastReason;
      leases += 1;
      const lease = await applyLease(context, { categoryId, categoryType, fileName, md5, source, signal });
      await hooks.onLeased?.(lease.FileUploadLeaseId);
      const put = await putToLease(context, lease, source, md5, signal, onProgress);
      if (put === 'expired') {
        context.logger.info?.('lease URL expired before the upload; taking a new lease', { fileName });
        lastReason = new KnowledgeBaseError(
          'LEASE_EXPIRED',
          `${fileName}: every lease URL expired before its upload`,
        );
        continue;
      }
      outcome = await addFileOnce(context, {
        leaseId: lease.FileUploadLeaseId,
        fields,
        categoryId,
        fileName,
        sizeBytes: source.sizeBytes,
        signal,
      });
    }
    if (outcome.kind === 'not-added') {
      lastReason = outcome.reason;
      context.logger.warn?.('AddFile did not add the document; starting over with a new lease', { fileName });
      continue;
    }
    await hooks.onAdded?.(outcome.fileId);
    const result: KnowledgeBaseDocument = {
      fileId: outcome.fileId,
      fileName,
      categoryId,
      categoryType,
      sizeBytes: source.sizeBytes,
      md5,
      parser: outcome.parser,
      status: undefined,
      file: undefined,
      indexId: undefined,
      indexJobId: undefined,
      leases,
      wasFoundByLookup: outcome.wasFound,
    };
    if (!wait) return result;
    const file = await waitUntilParsed(context, outcome.fileId, { ...options, categoryType });
    const parsed = { ...result, status: file.Status ?? undefined, file };
    if (indexId === undefined) return parsed;
    const { jobId } = await addDocumentsToIndex(context, indexId, [outcome.fileId], signal);
    await waitForIndexJob(context, indexId, jobId, {
      documentIds: [outcome.fileId],
      signal,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    return { ...parsed, indexId, indexJobId: jobId };
  }
}

async function applyLease(
  context: ClientContext,
  request: {
    categoryId: string;
    categoryType: CategoryType;
    fileName: string;
    md5: string;
    source: DocumentSource;
    signal: AbortSignal | undefined;
  },
) {
  const { data } = await context.call({
    action: 'ApplyFileUploadLease',
    method: 'POST',
    path: ['datacenter', 'category', request.categoryId],
    form: {
      CategoryType: request.categoryType,
      FileName: request.fileName,
      Md5: request.md5,
      SizeInBytes: request.source.sizeBytes,
    },
    data: leaseDataSchema,
    limitKey: context.limitKey('applyFileUploadLease'),
    // An unused lease costs nothing: asking again after an ambiguous failure is safe.
    idempotent: true,
    signal: request.signal,
  });
  return data;
}

/** PUTs the bytes with exactly the lease's method, URL and headers; `expired` when the URL is no longer valid. */
async function putToLease(
  context: ClientContext,
  lease: Awaited<ReturnType<typeof applyLease>>,
  source: DocumentSource,
  md5: string,
  signal: AbortSignal | undefined,
  onProgress: ((progress: UploadProgress) => void) | undefined,
): Promise<'sent' | 'expired'> {
  const { Method, Url } = lease.Param;
  const expires = Number(new URL(Url).searchParams.get('Expires'));
  if (Number.isFinite(expires) && expires > 0 && expires * 1000 <= Date.now()) return 'expired';
  const headers: Record<string, string> = {};
  for (const [name, value] of parseLeaseHeaders(lease.Param.Headers)) headers[name.toLowerCase()] = value;
  try {
    await context.transport.request({
      method: Method.toUpperCase() as 'PUT' | 'POST',
      path: Url,
      auth: none(),
      headers,
      body: source.body(md5),
      responseType: 'text',
      operation: 'UploadToLease',
      idempotent: true,
      signal,
      onProgress,
    });
    return 'sent';
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (
      HttpStatusError.isInstance(error) &&
      error.status === 403 &&
      /expired/i.test(error.body ?? error.message)
    ) {
      return 'expired';
    }
    throw error;
  }
}
