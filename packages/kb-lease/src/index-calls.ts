import { InvalidInputError, pollUntil } from '@x/transport';
import { checkId } from './check-id.js';
import type { ClientContext } from './client-context.js';
import {
  deleteIndexDocumentDataSchema,
  type IndexDocument,
  type IndexJobStatusData,
  indexIdDataSchema,
  indexJobStatusDataSchema,
  listIndexDocumentsDataSchema,
} from './kb-lease-api.js';
import { KnowledgeBaseError } from './knowledge-base-error.js';

/** Options of `createIndex` (spec §3.7). */
export interface CreateIndexOptions {
  /** The index's name, 1 to 20 characters. */
  name: string;
  /** Documents to build the index from (`DATA_CENTER_FILE`). @default undefined */
  documentIds?: readonly string[];
  /** Categories to build the index from (`DATA_CENTER_CATEGORY`). @default undefined */
  categoryIds?: readonly string[];
  /** `BUILT_IN` or `ADB`. @default 'BUILT_IN' */
  sinkType?: string;
  /** Chunk size, 1 to 6000. @default the service's (500) */
  chunkSize?: number;
  /** Overlap between chunks, 0 to 1024. @default the service's (100) */
  overlapSize?: number;
  /** Chunk separator. @default the service's */
  separator?: string;
  /** The embedding model. @default the service's */
  embeddingModelName?: string;
  /** `gte-rerank-hybrid` or `gte-rerank`. @default the service's */
  rerankModelName?: string;
  /** 0.01 to 1. @default the service's */
  rerankMinScore?: number;
  /** A description. @default undefined */
  description?: string;
  /** Aborts the calls. */
  signal?: AbortSignal;
}

/** Options of `waitForIndexJob`. */
export interface WaitForIndexJobOptions {
  /** Documents that must each reach `FINISH`; without them the job's own `COMPLETED` is awaited. @default undefined */
  documentIds?: readonly string[];
  /** How long to wait, in milliseconds; then `PollTimeoutError` (code `TIMEOUT`). @default 3600000 */
  timeoutMs?: number;
  /** The first wait between polls; spec §3.7 asks for at least 5 s. @default 5000 */
  pollIntervalMs?: number;
  /** The longest wait between polls. @default 30000 */
  maxPollIntervalMs?: number;
  /** Aborts the wait; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Options of `listIndexDocuments`. */
export interface ListIndexDocumentsOptions {
  /** Only documents with this name (exact unless `enableNameLike`). @default undefined */
  documentName?: string;
  /** Only documents in this state (`FINISH`, `RUNNING`, `INSERT_ERROR`...). @default undefined */
  documentStatus?: string;
  /** Match `documentName` as a substring. @default false */
  enableNameLike?: boolean;
  /** Page size. @default 100 */
  pageSize?: number;
  /** Aborts the listing. */
  signal?: AbortSignal;
}

const indexPollIntervalMs = 5000;

/** CreateIndex, then SubmitIndexJob, since CreateIndex only initialises the index (spec §10.10). @internal */
export async function createIndex(
  context: ClientContext,
  options: CreateIndexOptions,
): Promise<{ indexId: string; jobId: string }> {
  const { name, documentIds, categoryIds, signal } = options;
  if (typeof name !== 'string' || [...name].length < 1 || [...name].length > 20) {
    throw new InvalidInputError(
      'INVALID_INDEX_NAME',
      `name must be 1 to 20 characters, got ${JSON.stringify(name)}`,
    );
  }
  if (documentIds && categoryIds) {
    throw new InvalidInputError('INVALID_INDEX_SOURCE', 'Give documentIds or categoryIds, not both');
  }
  for (const documentId of documentIds ?? []) checkId('FileId', documentId);
  for (const categoryId of categoryIds ?? []) checkId('CategoryId', categoryId);
  const sourceType = categoryIds ? 'DATA_CENTER_CATEGORY' : 'DATA_CENTER_FILE';
  const created = await context.call({
    action: 'CreateIndex',
    method: 'POST',
    path: ['index', 'create'],
    query: {
      CategoryIds: categoryIds ? JSON.stringify(categoryIds) : undefined,
      ChunkSize: options.chunkSize,
      Description: options.description,
      DocumentIds: documentIds ? JSON.stringify(documentIds) : undefined,
      EmbeddingModelName: options.embeddingModelName,
      Name: name,
      OverlapSize: options.overlapSize,
      RerankMinScore: options.rerankMinScore,
      RerankModelName: options.rerankModelName,
      Separator: options.separator,
      SinkType: options.sinkType ?? 'BUILT_IN',
      SourceType: sourceType,
      StructureType: 'unstructured',
    },
    data: indexIdDataSchema,
    signal,
  });
  const indexId = created.data.Id;
  const submitted = await context.call({
    action: 'SubmitIndexJob',
    method: 'POST',
    path: ['index', 'submit_index_job'],
    query: { IndexId: indexId },
    data: indexIdDataSchema,
    signal,
  });
  return { indexId, jobId: submitted.data.Id };
}

/** SubmitIndexAddDocumentsJob for data-center files (spec §3.7). @internal */
export async function addDocumentsToIndex(
  context: ClientContext,
  indexId: string,
  documentIds: readonly string[],
  signal?: AbortSignal,
): Promise<{ jobId: string }> {
  checkId('IndexId', indexId);
  if (!Array.isArray(documentIds) || documentIds.length === 0) {
    throw new InvalidInputError('INVALID_DOCUMENT_IDS', 'documentIds must be a non-empty array of file ids');
  }
  for (const documentId of documentIds) checkId('FileId', documentId);
  const { data } = await context.call({
    action: 'SubmitIndexAddDocumentsJob',
    method: 'POST',
    path: ['index', 'add_documents_to_index'],
    query: { DocumentIds: JSON.stringify(documentIds), IndexId: indexId, SourceType: 'DATA_CENTER_FILE' },
    data: indexIdDataSchema,
    signal,
  });
  return { jobId: data.Id };
}

/** GetIndexJobStatus once (`pageSize` is lower case on the wire, spec §10.9). @internal */
export async function getIndexJobStatus(
  context: ClientContext,
  indexId: string,
  jobId: string,
  signal?: AbortSignal,
): Promise<IndexJobStatusData> {
  checkId('IndexId', indexId);
  checkId('JobId', jobId);
  const { data } = await context.call({
    action: 'GetIndexJobStatus',
    method: 'GET',
    path: ['index', 'job', 'status'],
    query: { IndexId: indexId, JobId: jobId, PageNumber: 1, pageSize: 100 },
    data: indexJobStatusDataSchema,
    limitKey: context.limitKey('getIndexJobStatus'),
    signal,
  });
  return data as IndexJobStatusData;
}

/**
 * Polls GetIndexJobStatus, at least 5 s apart and under its 20-per-minute quota (spec §3.7), until the job is
 * `COMPLETED` (and each of `documentIds` is `FINISH`), or fails. @internal
 */
export async function waitForIndexJob(
  context: ClientContext,
  indexId: string,
  jobId: string,
  options: WaitForIndexJobOptions = {},
): Promise<IndexJobStatusData> {
  const {
    documentIds,
    timeoutMs = 3_600_000,
    pollIntervalMs = indexPollIntervalMs,
    maxPollIntervalMs = 30_000,
    signal,
  } = options;
  checkId('IndexId', indexId);
  checkId('JobId', jobId);
  for (const documentId of documentIds ?? []) checkId('FileId', documentId);
  const what = `index job ${jobId} of ${indexId}`;
  try {
    return await pollUntil<IndexJobStatusData>(
      async ({ signal: pollSignal }) => {
        const status = await getIndexJobStatus(context, indexId, jobId, pollSignal);
        const documents = status.Documents ?? [];
        const failed = documents.find(
          (document) =>
            document.Status === 'INSERT_ERROR' &&
            (!documentIds || (document.DocId !== undefined && documentIds.includes(document.DocId ?? ''))),
        );
        if (failed) {
          throw new KnowledgeBaseError(
            'INDEX_JOB_FAILED',
            `${what}: document ${failed.DocId ?? failed.DocName} is INSERT_ERROR${failed.Code ? ` (${failed.Code})` : ''}${failed.Message ? `: ${failed.Message}` : ''}`,
            {
              status: 'INSERT_ERROR',
              ...(failed.DocId ? { fileId: failed.DocId } : {}),
              ...(failed.Code ? { serviceCode: failed.Code } : {}),
            },
          );
        }
        if (status.Status === 'FAILED') {
          throw new KnowledgeBaseError('INDEX_JOB_FAILED', `${what} FAILED`, { status: 'FAILED' });
        }
        const isDone = documentIds
          ? documentIds.every((id) =>
              documents.some((document) => document.DocId === id && document.Status === 'FINISH'),
            )
          : status.Status === 'COMPLETED';
        return isDone ? { done: true, value: status } : { done: false, value: status.Status };
      },
      {
        signal,
        timeoutMs,
        initialDelayMs: pollIntervalMs,
        maxDelayMs: maxPollIntervalMs,
        what,
        operation: 'GetIndexJobStatus',
      },
    );
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}

/** ListIndexDocuments, page by page. @internal */
export async function* listIndexDocuments(
  context: ClientContext,
  indexId: string,
  options: ListIndexDocumentsOptions = {},
): AsyncGenerator<IndexDocument> {
  const { documentName, documentStatus, enableNameLike, pageSize = 100, signal } = options;
  checkId('IndexId', indexId);
  for (let pageNumber = 1; ; pageNumber += 1) {
    const { data } = await context.call({
      action: 'ListIndexDocuments',
      method: 'GET',
      path: ['index', 'list_index_documents'],
      query: {
        DocumentName: documentName,
        DocumentStatus: documentStatus,
        EnableNameLike: enableNameLike,
        IndexId: indexId,
        PageNumber: pageNumber,
        PageSize: pageSize,
      },
      data: listIndexDocumentsDataSchema,
      signal,
    });
    const documents = data.Documents ?? [];
    for (const document of documents) yield document;
    const total = typeof data.TotalCount === 'number' ? data.TotalCount : undefined;
    if (documents.length < pageSize || (total !== undefined && pageNumber * pageSize >= total)) return;
  }
}

/** DeleteIndexDocument (spec §3). @internal */
export async function deleteIndexDocuments(
  context: ClientContext,
  indexId: string,
  documentIds: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  checkId('IndexId', indexId);
  if (!Array.isArray(documentIds) || documentIds.length === 0) {
    throw new InvalidInputError('INVALID_DOCUMENT_IDS', 'documentIds must be a non-empty array of file ids');
  }
  for (const documentId of documentIds) checkId('FileId', documentId);
  await context.call({
    action: 'DeleteIndexDocument',
    method: 'POST',
    path: ['index', 'delete_index_document'],
    query: { DocumentIds: JSON.stringify(documentIds), IndexId: indexId },
    data: deleteIndexDocumentDataSchema,
    idempotent: true,
    signal,
  });
}
