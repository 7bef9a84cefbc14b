import { randomBytes } from 'node:crypto';
import { BailianApiError, invalidParameterMessage } from './bailian-api-error.js';
import type { BailianFile, BailianFileStatus, BailianState } from './bailian-state.js';
import type { ApiCall, DataCenterAction } from './data-center-actions.js';

/** The knowledge-base index actions this surface answers (specs/bailian-data-api.md §3 table, §3.7). */
export type BailianIndexAction =
  | 'CreateIndex'
  | 'SubmitIndexJob'
  | 'SubmitIndexAddDocumentsJob'
  | 'GetIndexJobStatus'
  | 'ListIndices'
  | 'DeleteIndex'
  | 'ListIndexDocuments'
  | 'DeleteIndexDocument';

/** Where an index job is (spec §3.7): `PENDING` -> `RUNNING` -> `COMPLETED` or `FAILED`, on the emulated clock. */
export type BailianIndexJobStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED';

/** Where a document of an index is (spec §3.7). */
export type BailianIndexDocumentStatus = 'RUNNING' | 'FINISH' | 'INSERT_ERROR' | 'DELETED';

/** A knowledge-base index created by CreateIndex. */
export interface BailianIndex {
  /** `Id`: 10 lower-case letters and digits, e.g. `jkurxhju6b`. */
  readonly indexId: string;
  /** Owner account. */
  readonly accountName: string;
  /** Workspace. */
  readonly workspaceId: string;
  /** `Name`, 1 to 20 characters. */
  readonly name: string;
  /** The CreateIndex parameters as sent (`ChunkSize`, `SinkType`, `SourceType`...), for ListIndices. */
  readonly settings: Readonly<Record<string, string>>;
  /** `DocumentIds` of CreateIndex (DATA_CENTER_FILE). */
  readonly documentIds: readonly string[];
  /** `CategoryIds` of CreateIndex (DATA_CENTER_CATEGORY). */
  readonly categoryIds: readonly string[];
  /** Creation time (emulated epoch ms). */
  readonly createdAtMs: number;
  /** Documents by file ID. */
  readonly documents: Map<string, BailianIndexDocument>;
}

/** A document of an index: the file it was made from and how its insertion went. */
export interface BailianIndexDocument {
  /** The data-center file ID. */
  readonly docId: string;
  /** File name. */
  readonly docName: string;
  /** Category of the file (`SourceId`). */
  readonly sourceId: string;
  /** Extension (`DocumentType`). */
  readonly documentType: string;
  /** Size in bytes. */
  readonly sizeBytes: number;
  /** Job that inserted it. */
  readonly jobId: string;
  /** Error code once the job ends, for a document that could not be inserted. */
  readonly errorCode?: string;
  /** Error message that goes with `errorCode`. */
  readonly errorMessage?: string;
  /** When DeleteIndexDocument removed it (emulated epoch ms). */
  deletedAtMs?: number;
}

/** An index job: SubmitIndexJob (the first build) or SubmitIndexAddDocumentsJob. */
export interface BailianIndexJob {
  /** `JobId`: 32 hex. */
  readonly jobId: string;
  /** Index it builds. */
  readonly indexId: string;
  /** Which call submitted it. */
  readonly action: 'SubmitIndexJob' | 'SubmitIndexAddDocumentsJob';
  /** When it was submitted (emulated epoch ms). */
  readonly submittedAtMs: number;
  /** File IDs it inserts, in order. */
  readonly documentIds: readonly string[];
}

/** When index jobs move through their states, counted from submission on the emulated clock. */
export interface BailianIndexJobSchedule {
  /**
   * Delay before `PENDING` becomes `RUNNING`.
   * @default 500
   */
  readonly runningAfterMs?: number;
  /**
   * Delay before `RUNNING` becomes `COMPLETED` (or `FAILED` when no document could be inserted).
   * @default 2000
   */
  readonly doneAfterMs?: number;
}

/** What the index actions work on. */
export interface IndexDependencies {
  /** The surface's state (files, indices, jobs). */
  readonly state: BailianState;
  /** The parse state of a data-center file at a time. */
  readonly fileStatus: (file: BailianFile, nowMs: number) => BailianFileStatus;
  /** Job schedule. */
  readonly schedule: BailianIndexJobSchedule | undefined;
}

const NAME_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const CHUNK_ERROR_MESSAGE = 'document parse error';
const MAX_INDEX_DOCUMENTS = 10_000;

function indexError(name: string): BailianApiError {
  return new BailianApiError(400, 'Index.InvalidParameter', invalidParameterMessage(name));
}

function newIndexId(): string {
  let id = '';
  for (const byte of randomBytes(10)) id += NAME_ALPHABET[byte % NAME_ALPHABET.length];
  return id;
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value.trim() === '') throw indexError(name);
  return value;
}

function integerParam(params: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw indexError(name);
  return Number(value);
}

function idList(params: URLSearchParams, name: string): string[] {
  const value = params.get(name);
  if (value === null || value === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw indexError(name);
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length > MAX_INDEX_DOCUMENTS ||
    !parsed.every((id): id is string => typeof id === 'string' && id !== '')
  ) {
    throw indexError(name);
  }
  return [...new Set(parsed)];
}

function page(
  params: URLSearchParams,
  sizeName: string,
  defaultSize: number,
): { number: number; size: number } {
  return {
    number: integerParam(params, 'PageNumber', 1, 1_000_000) ?? 1,
    size: integerParam(params, sizeName, 1, 100) ?? defaultSize,
  };
}

/**
 * Creates the knowledge-base index actions (spec §1 table, §3.7): CreateIndex, SubmitIndexJob,
 * SubmitIndexAddDocumentsJob, GetIndexJobStatus, ListIndices, ListIndexDocuments, DeleteIndexDocument and DeleteIndex.
 * Jobs move `PENDING` -> `RUNNING` -> `COMPLETED` / `FAILED` on the emulated clock; only files in `PARSE_SUCCESS` when
 * the job is submitted are inserted, every other one ends `INSERT_ERROR` with `Index.Document.ChunkError` (spec §3.4:
 * only `PARSE_SUCCESS` documents may be added to an index).
 *
 * @example
 * ```ts
 * const actions = createIndexActions({ state, fileStatus, schedule: { doneAfterMs: 0 } });
 * const { Data } = actions.CreateIndex(call); // { Id: 'jkurxhju6b' }
 * ```
 */
export function createIndexActions(
  dependencies: IndexDependencies,
): Record<BailianIndexAction, DataCenterAction> {
  const { state } = dependencies;
  const runningAfterMs = dependencies.schedule?.runningAfterMs ?? 500;
  const doneAfterMs = Math.max(dependencies.schedule?.doneAfterMs ?? 2000, runningAfterMs);

  function findIndex(call: ApiCall, id = required(call.params, 'IndexId')): BailianIndex {
    const index = state.indices.get(id);
    if (!index || index.workspaceId !== call.workspaceId) throw indexError('IndexId');
    return index;
  }

  function jobStatus(job: BailianIndexJob, nowMs: number): BailianIndexJobStatus {
    const elapsedMs = nowMs - job.submittedAtMs;
    if (elapsedMs < runningAfterMs) return 'PENDING';
    if (elapsedMs < doneAfterMs) return 'RUNNING';
    const index = state.indices.get(job.indexId);
    const hasInserted = job.documentIds.some(
      (id) => index?.documents.get(id)?.jobId === job.jobId && !index.documents.get(id)?.errorCode,
    );
    return hasInserted || job.documentIds.length === 0 ? 'COMPLETED' : 'FAILED';
  }

  function documentStatus(document: BailianIndexDocument, nowMs: number): BailianIndexDocumentStatus {
    if (document.deletedAtMs !== undefined) return 'DELETED';
    const job = state.indexJobs.get(document.jobId);
    if (job && nowMs - job.submittedAtMs < doneAfterMs) return 'RUNNING';
    return document.errorCode === undefined ? 'FINISH' : 'INSERT_ERROR';
  }

  function documentDone(document: BailianIndexDocument): number {
    const job = state.indexJobs.get(document.jobId);
    return (job?.submittedAtMs ?? 0) + doneAfterMs;
  }

  /** Resolves files to insert and records each as a document of the job (failing the ones not `PARSE_SUCCESS`). */
  function submit(
    call: ApiCall,
    index: BailianIndex,
    action: BailianIndexJob['action'],
    sourceType: string | null,
    documentIds: readonly string[],
    categoryIds: readonly string[],
  ): BailianIndexJob {
    if (sourceType !== 'DATA_CENTER_FILE' && sourceType !== 'DATA_CENTER_CATEGORY') {
      throw new BailianApiError(400, 'Index.InvalidParameter', invalidParameterMessage('data_sources'));
    }
    const files: BailianFile[] = [];
    if (sourceType === 'DATA_CENTER_FILE') {
      if (documentIds.length === 0) throw indexError('DocumentIds');
      for (const id of documentIds) {
        const file = state.files.get(id);
        if (!file || file.workspaceId !== call.workspaceId) throw indexError('DocumentIds');
        files.push(file);
      }
    } else {
      if (categoryIds.length === 0) throw indexError('CategoryIds');
      for (const id of categoryIds) {
        const category = state.categories.get(id);
        if (!category || category.workspaceId !== call.workspaceId) throw indexError('CategoryIds');
        for (const file of state.files.values()) if (file.categoryId === id) files.push(file);
      }
    }
    const job: BailianIndexJob = {
      jobId: randomBytes(16).toString('hex'),
      indexId: index.indexId,
      action,
      submittedAtMs: call.nowMs,
      documentIds: files.map((file) => file.fileId),
    };
    state.indexJobs.set(job.jobId, job);
    for (const file of files) {
      const isParsed = dependencies.fileStatus(file, call.nowMs) === 'PARSE_SUCCESS';
      index.documents.set(file.fileId, {
        docId: file.fileId,
        docName: file.fileName,
        sourceId: file.categoryId,
        documentType: file.fileType,
        sizeBytes: file.sizeBytes,
        jobId: job.jobId,
        ...(isParsed ? {} : { errorCode: 'Index.Document.ChunkError', errorMessage: CHUNK_ERROR_MESSAGE }),
      });
    }
    return job;
  }

  return {
    CreateIndex(call) {
      const name = required(call.params, 'Name');
      if ([...name].length > 20) throw indexError('Name');
      if (required(call.params, 'StructureType') !== 'unstructured') throw indexError('StructureType');
      const sinkType = call.params.get('SinkType');
      if (sinkType !== null && !['BUILT_IN', 'ADB', 'DEFAULT'].includes(sinkType))
        throw indexError('SinkType');
      const sourceType = call.params.get('SourceType');
      if (sourceType !== null && sourceType !== 'DATA_CENTER_FILE' && sourceType !== 'DATA_CENTER_CATEGORY') {
        throw indexError('SourceType');
      }
      integerParam(call.params, 'ChunkSize', 1, 6000);
      integerParam(call.params, 'OverlapSize', 0, 1024);
      const rerankMinScore = call.params.get('RerankMinScore');
      if (rerankMinScore !== null) {
        const score = Number(rerankMinScore);
        if (!(score >= 0.01 && score <= 1)) throw indexError('RerankMinScore');
      }
      const documentIds = idList(call.params, 'DocumentIds');
      const categoryIds = idList(call.params, 'CategoryIds');
      for (const id of documentIds) {
        const file = state.files.get(id);
        if (!file || file.workspaceId !== call.workspaceId) throw indexError('DocumentIds');
      }
      for (const id of categoryIds) {
        const category = state.categories.get(id);
        if (!category || category.workspaceId !== call.workspaceId) throw indexError('CategoryIds');
      }
      const index: BailianIndex = {
        indexId: newIndexId(),
        accountName: call.caller.account.name,
        workspaceId: call.workspaceId,
        name,
        settings: Object.fromEntries(call.params),
        documentIds,
        categoryIds,
        createdAtMs: call.nowMs,
        documents: new Map(),
      };
      state.indices.set(index.indexId, index);
      return { Data: { Id: index.indexId } };
    },

    SubmitIndexJob(call) {
      const index = findIndex(call);
      const job = submit(
        call,
        index,
        'SubmitIndexJob',
        index.settings.SourceType ?? null,
        index.documentIds,
        index.categoryIds,
      );
      return { Data: { Id: job.jobId, IndexId: index.indexId } };
    },

    SubmitIndexAddDocumentsJob(call) {
      const index = findIndex(call);
      integerParam(call.params, 'ChunkSize', 1, 6000);
      integerParam(call.params, 'OverlapSize', 0, 1024);
      const sourceType = call.params.get('SourceType');
      if (sourceType === null || sourceType === '') throw indexError('SourceType');
      const job = submit(
        call,
        index,
        'SubmitIndexAddDocumentsJob',
        sourceType,
        idList(call.params, 'DocumentIds'),
        idList(call.params, 'CategoryIds'),
      );
      return { Data: { Id: job.jobId } };
    },

    GetIndexJobStatus(call) {
      const index = findIndex(call);
      const job = state.indexJobs.get(required(call.params, 'JobId'));
      if (!job || job.indexId !== index.indexId) throw indexError('JobId');
      const { number, size } = page(call.params, 'pageSize', 10);
      const documents = job.documentIds
        .map((id) => index.documents.get(id))
        .filter((document): document is BailianIndexDocument => document?.jobId === job.jobId);
      return {
        Data: {
          JobId: job.jobId,
          Status: jobStatus(job, call.nowMs),
          Documents: documents.slice((number - 1) * size, number * size).map((document) => {
            const status = documentStatus(document, call.nowMs);
            return {
              DocId: document.docId,
              DocName: document.docName,
              Status: status,
              Code: status === 'INSERT_ERROR' ? (document.errorCode ?? '') : '',
              Message: status === 'INSERT_ERROR' ? (document.errorMessage ?? '') : '',
              GmtModified: status === 'RUNNING' ? job.submittedAtMs : documentDone(document),
            };
          }),
        },
      };
    },

    ListIndices(call) {
      const { number, size } = page(call.params, 'PageSize', 10);
      const name = call.params.get('IndexName');
      const matching = [...state.indices.values()].filter(
        (index) => index.workspaceId === call.workspaceId && (!name || index.name === name),
      );
      return {
        Data: {
          Indices: matching.slice((number - 1) * size, number * size).map((index) => ({
            Id: index.indexId,
            Name: index.name,
            Description: index.settings.Description ?? '',
            StructureType: index.settings.StructureType ?? 'unstructured',
            SourceType: index.settings.SourceType ?? '',
            SinkType: index.settings.SinkType ?? 'BUILT_IN',
            SinkInstanceId: index.settings.SinkInstanceId ?? '',
            SinkRegion: index.settings.SinkRegion ?? '',
            ChunkSize: Number(index.settings.ChunkSize ?? 500),
            OverlapSize: Number(index.settings.OverlapSize ?? 100),
            Separator: index.settings.Separator ?? ' |,|，|。|？|！|\n|\\?|\\!',
            EmbeddingModelName: index.settings.EmbeddingModelName ?? 'text-embedding-v2',
            RerankModelName: index.settings.RerankModelName ?? 'gte-rerank-hybrid',
            RerankMinScore: index.settings.RerankMinScore ?? '0.01',
            EnableRewrite: index.settings.EnableRewrite === 'true',
            DocumentIds: [...index.documents.values()]
              .filter((document) => document.deletedAtMs === undefined)
              .map((document) => document.docId),
          })),
          PageNumber: number,
          PageSize: size,
          TotalCount: matching.length,
        },
      };
    },

    DeleteIndex(call) {
      const index = findIndex(call);
      state.indices.delete(index.indexId);
      for (const [jobId, job] of state.indexJobs)
        if (job.indexId === index.indexId) state.indexJobs.delete(jobId);
      return {};
    },

    ListIndexDocuments(call) {
      const index = findIndex(call);
      const { number, size } = page(call.params, 'PageSize', 10);
      const name = call.params.get('DocumentName');
      const isNameLike = call.params.get('EnableNameLike') === 'true';
      const status = call.params.get('DocumentStatus');
      if (status && !['RUNNING', 'FINISH', 'INSERT_ERROR', 'DELETED'].includes(status)) {
        throw indexError('DocumentStatus');
      }
      const matching = [...index.documents.values()].filter((document) => {
        if (name && (isNameLike ? !document.docName.includes(name) : document.docName !== name)) return false;
        if (status && documentStatus(document, call.nowMs) !== status) return false;
        return true;
      });
      return {
        Data: {
          Documents: matching.slice((number - 1) * size, number * size).map((document) => {
            const documentState = documentStatus(document, call.nowMs);
            return {
              Id: document.docId,
              Name: document.docName,
              SourceId: document.sourceId,
              DocumentType: document.documentType,
              Size: document.sizeBytes,
              Status: documentState,
              Code: documentState === 'INSERT_ERROR' ? (document.errorCode ?? '') : '',
              Message: documentState === 'INSERT_ERROR' ? (document.errorMessage ?? '') : '',
              GmtModified: document.deletedAtMs ?? documentDone(document),
            };
          }),
          IndexId: index.indexId,
          PageNumber: number,
          PageSize: size,
          TotalCount: matching.length,
        },
      };
    },

    DeleteIndexDocument(call) {
      const index = findIndex(call);
      const ids = idList(call.params, 'DocumentIds');
      if (ids.length === 0) throw indexError('DocumentIds');
      const deleted: string[] = [];
      for (const id of ids) {
        const document = index.documents.get(id);
        if (!document) throw indexError('DocumentIds');
        const status = documentStatus(document, call.nowMs);
        if (status === 'RUNNING') {
          throw new BailianApiError(
            400,
            'Index.InvalidParameter',
            `The document ${id} is still being inserted: only FINISH or INSERT_ERROR documents can be deleted.`,
          );
        }
        if (status === 'DELETED') continue;
        document.deletedAtMs = call.nowMs;
        deleted.push(id);
      }
      return { Data: { DeletedDocument: deleted } };
    },
  };
}
