import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { drainRequest, readJsonBody, sendJson } from '../http-reply.js';
import type { EmulatorAccount, Exchange, Surface, SurfaceContext } from '../surface.js';
import { type BatchSchedule, createBatchJobs, type StoredBatch } from './batch-jobs.js';
import { fileExtension, fileExtractExtensions } from './file-inspector.js';
import { FilesApiError, sendFilesError } from './files-api-error.js';
import { defaultFilesLimits, type FilesLimits } from './files-limits.js';
import { parseListQuery } from './list-query.js';
import { ClientGoneError, type ReceivedUpload, receiveUpload } from './receive-upload.js';

/** Purposes a file can have; clients upload `file-extract` and `batch`, batch jobs write `batch_output`. */
export type FilePurpose = 'file-extract' | 'batch' | 'batch_output';

/** Where a file is in its processing. */
export type FileStatus = 'processing' | 'processed' | 'error';

/** Options of the OpenAI-compatible Files API surface. */
export interface FilesSurfaceOptions {
  /**
   * Limits per account; any subset overrides the documented defaults (small values make limits testable).
   * @default defaultFilesLimits
   */
  readonly limits?: Partial<FilesLimits>;
  /**
   * Time on the emulator's clock between an upload and its final status (`processed`, or `error` for a file that cannot
   * be parsed). Until then the file is `processing`.
   * @default 1000
   */
  readonly processingDelayMs?: number;
  /**
   * Refuse uploads without a `Content-Length` header (chunked bodies) with 411 `MissingContentLength`, to prove that a
   * client never depends on chunked encoding. Whether the real gateway accepts chunked uploads is not documented.
   * @default false
   */
  readonly requireContentLength?: boolean;
  /**
   * When batches (`/compatible-mode/v1/batches`) move `validating` -> `in_progress` -> `finalizing` -> `completed`,
   * counted from creation on the emulated clock. A schedule whose `finalizingAfterMs` is beyond a batch's
   * `completion_window` makes that batch `expired` at its `expires_at`.
   * @default { inProgressAfterMs: 500, finalizingAfterMs: 2000, completedAfterMs: 2500, cancelledAfterMs: 500 }
   */
  readonly batchSchedule?: BatchSchedule;
}

/** One stored file as tests see it. */
export interface StoredFile {
  /** `file-fe-…`, `file-batch-…`. */
  readonly id: string;
  /** Name of the owning account. */
  readonly account: string;
  /** File name as uploaded. */
  readonly filename: string;
  /** What the file is for. */
  readonly purpose: FilePurpose;
  /** Size in bytes. */
  readonly bytes: number;
  /** Upload time on the emulator's clock, in milliseconds since the epoch. */
  readonly createdAtMs: number;
  /** Status now, on the emulator's clock. */
  readonly status: FileStatus;
  /** Why parsing failed, when `status` is (or will be) `error`. */
  readonly statusDetails: string | null;
  /** Where the bytes are stored. */
  readonly path: string;
}

/** What the Files API surface holds. */
export interface FilesSurfaceState {
  /** Every stored file of every account, oldest first. */
  readonly files: readonly StoredFile[];
  /** Every batch of every account, oldest first (output files appear once a request reaches the surface after completion). */
  readonly batches: readonly StoredBatch[];
}

/** The Files API surface, with its state typed. */
export interface FilesSurface extends Surface {
  /** Stored files, for tests to inspect. */
  readonly state: FilesSurfaceState;
}

interface FileRecord {
  readonly id: string;
  readonly account: string;
  readonly filename: string;
  readonly purpose: FilePurpose;
  readonly bytes: number;
  readonly createdAtMs: number;
  readonly readyAtMs: number;
  readonly parseError: string | undefined;
  readonly path: string;
  /** Creation order, to break ties between files created in the same millisecond. */
  readonly sequence: number;
}

/** Where a file sits in list order; kept after deletion so a deleted file still works as an `after` cursor. */
type CursorPosition = Pick<FileRecord, 'account' | 'createdAtMs' | 'sequence'>;

const basePath = '/compatible-mode/v1/files';
const batchesPath = '/compatible-mode/v1/batches';

/** Route names of the Files API surface, as the fault plan and the call log name them. */
export const filesRoutes = {
  upload: 'files.upload',
  list: 'files.list',
  retrieve: 'files.retrieve',
  content: 'files.content',
  delete: 'files.delete',
  batchCreate: 'batches.create',
  batchList: 'batches.list',
  batchRetrieve: 'batches.retrieve',
  batchCancel: 'batches.cancel',
  /** Anything else under `/compatible-mode/v1/` that no surface answers. */
  unknown: 'files.unknown',
} as const;
const uploadPurposes: readonly string[] = ['file-extract', 'batch'];
const idPrefixes: Record<FilePurpose, string> = {
  'file-extract': 'file-fe-',
  batch: 'file-batch-',
  batch_output: 'file-batch_output-',
};
const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function newId(purpose: FilePurpose): string {
  const bytes = randomBytes(24);
  let suffix = '';
  for (const byte of bytes) suffix += idAlphabet[byte % idAlphabet.length];
  return idPrefixes[purpose] + suffix;
}

function describeSize(bytes: number): string {
  const mebibytes = bytes / (1024 * 1024);
  return Number.isInteger(mebibytes) ? `${mebibytes} MB (${bytes} bytes)` : `${bytes} bytes`;
}

/** A percent-decoded path segment; a malformed escape is kept as it is (and then names no file). */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Newest first; files created in the same millisecond by creation order, newest first. */
function compareListOrder(left: CursorPosition, right: CursorPosition): number {
  return right.createdAtMs - left.createdAtMs || right.sequence - left.sequence;
}

/**
 * Creates the OpenAI-compatible Files API surface of Model Studio under `/compatible-mode/v1/files`: upload (multipart,
 * streamed to `context.dataDir`), retrieve, list with cursors and date filters, and delete, with the documented
 * purposes, file types, sizes, Batch input format, per-account file and storage limits, rate limits (3 uploads and 10
 * other calls per second), Bearer authentication, and errors in the OpenAI envelope with a request id.
 *
 * @param context - What the emulator's core provides: clock, accounts, data folder, quotas.
 * @param options - Limits, processing delay and strictness.
 * @example
 * ```ts
 * const files = createFilesSurface(context, { processingDelayMs: 0, limits: { maxFiles: 5 } });
 * // later, in a test:
 * expect(files.state.files).toHaveLength(1);
 * ```
 */
export function createFilesSurface(context: SurfaceContext, options: FilesSurfaceOptions = {}): FilesSurface {
  const limits: FilesLimits = { ...defaultFilesLimits, ...options.limits };
  const processingDelayMs = options.processingDelayMs ?? 1000;
  const directory = join(context.dataDir, 'files');
  const records: FileRecord[] = [];
  const cursors = new Map<string, CursorPosition>();
  let sequence = 0;
  const batches = createBatchJobs({
    now: () => context.clock.now(),
    schedule: options.batchSchedule,
    maxRequests: limits.batchMaxRequests,
    newPath: () => join(directory, `${randomUUID()}.part`),
    findFile(accountName, id) {
      return records.find((record) => record.id === id && record.account === accountName);
    },
    async addOutputFile(accountName, filename, path, createdAtMs) {
      const id = newId('batch_output');
      const finalPath = join(directory, id);
      await rename(path, finalPath);
      const { size } = await stat(finalPath);
      sequence += 1;
      const record: FileRecord = {
        id,
        account: accountName,
        filename,
        purpose: 'batch_output',
        bytes: size,
        createdAtMs,
        readyAtMs: createdAtMs,
        parseError: undefined,
        path: finalPath,
        sequence,
      };
      records.push(record);
      cursors.set(id, { account: accountName, createdAtMs, sequence });
      return id;
    },
  });

  function statusOf(record: FileRecord): FileStatus {
    if (context.clock.now() < record.readyAtMs) return 'processing';
    return record.parseError === undefined ? 'processed' : 'error';
  }

  function toWire(record: FileRecord) {
    const status = statusOf(record);
    return {
      id: record.id,
      object: 'file',
      bytes: record.bytes,
      created_at: Math.floor(record.createdAtMs / 1000),
      filename: record.filename,
      purpose: record.purpose,
      status,
      status_details: status === 'error' ? (record.parseError ?? null) : null,
    };
  }

  function authenticate(request: IncomingMessage): EmulatorAccount {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new FilesApiError(401, 'InvalidApiKey', 'No API-key provided.');
    const account = context.accounts.find((candidate) => candidate.apiKey === match[1]);
    if (!account) throw new FilesApiError(401, 'InvalidApiKey', 'Invalid API-key provided.');
    return account;
  }

  function checkQuota(route: string, account: EmulatorAccount): void {
    const isUpload = route === 'files.upload';
    const key = `${isUpload ? 'files.upload' : 'files.query'}:${account.name}`;
    const limit = isUpload ? limits.uploadsPerSecond : limits.queriesPerSecond;
    if (!context.withinQuota(key, limit, 1000)) {
      throw new FilesApiError(
        429,
        'Throttling.RateQuota',
        'Requests rate limit exceeded, please try again later.',
      );
    }
  }

  function findRecord(account: EmulatorAccount, id: string): FileRecord {
    const record = records.find((candidate) => candidate.id === id && candidate.account === account.name);
    if (!record) throw new FilesApiError(404, 'NotFound', `No such file: ${id}`, 'file_id');
    return record;
  }

  function maxBytesFor(purpose: string | undefined): number {
    if (purpose === 'file-extract') return limits.fileExtractMaxBytes;
    if (purpose === 'batch') return limits.batchMaxBytes;
    return Math.max(limits.fileExtractMaxBytes, limits.batchMaxBytes);
  }

  function checkFileCount(account: EmulatorAccount): void {
    const count = records.filter((record) => record.account === account.name).length;
    if (count >= limits.maxFiles) {
      throw new FilesApiError(
        400,
        'InvalidParameter',
        `File count limit reached: the account already holds ${limits.maxFiles} files. Delete files you no longer need.`,
      );
    }
  }

  async function upload(exchange: Exchange, account: EmulatorAccount): Promise<void> {
    const { request } = exchange;
    if (options.requireContentLength && request.headers['content-length'] === undefined) {
      throw new FilesApiError(
        411,
        'MissingContentLength',
        'A Content-Length header is required: chunked request bodies are refused.',
      );
    }
    if (!/^multipart\/form-data\s*;.*boundary=/i.test(request.headers['content-type'] ?? '')) {
      throw new FilesApiError(
        400,
        'InvalidParameter',
        'The request must be multipart/form-data (with a boundary) carrying the fields "file" and "purpose".',
      );
    }
    checkFileCount(account);
    await mkdir(directory, { recursive: true });
    const temporaryPath = join(directory, `${randomUUID()}.part`);
    const received = await receiveUpload(request, {
      path: temporaryPath,
      maxBytesFor,
      batchLineMaxBytes: limits.batchLineMaxBytes,
    });
    let record: FileRecord;
    try {
      record = validateUpload(account, received.fields.get('purpose'), received);
      // Counted at once, so concurrent uploads cannot pass the account's limits together.
      records.push(record);
      try {
        await rename(temporaryPath, record.path);
      } catch (error) {
        records.splice(records.indexOf(record), 1);
        throw error;
      }
    } catch (error) {
      await unlink(temporaryPath).catch(() => {});
      throw error;
    }
    cursors.set(record.id, {
      account: record.account,
      createdAtMs: record.createdAtMs,
      sequence: record.sequence,
    });
    sendJson(exchange.response, 200, toWire(record));
  }

  function validateUpload(
    account: EmulatorAccount,
    purpose: string | undefined,
    received: ReceivedUpload,
  ): FileRecord {
    if (purpose === undefined || purpose === '') {
      throw new FilesApiError(400, 'InvalidParameter', 'Missing required parameter: purpose.', 'purpose');
    }
    if (!uploadPurposes.includes(purpose)) {
      throw new FilesApiError(
        400,
        'InvalidParameter',
        `Invalid purpose "${purpose}": use "file-extract" or "batch".`,
        'purpose',
      );
    }
    const { file } = received;
    if (!file) throw new FilesApiError(400, 'InvalidParameter', 'Missing required parameter: file.', 'file');
    if (received.extraFileParts > 0) {
      throw new FilesApiError(400, 'InvalidParameter', 'Send exactly one file part, named "file".', 'file');
    }
    if (file.filename === '') {
      throw new FilesApiError(
        400,
        'InvalidParameter',
        'The file part has no file name: send the real file name, the file type is inferred from its extension.',
        'file',
      );
    }
    const extension = fileExtension(file.filename);
    if (purpose === 'file-extract' && !fileExtractExtensions.includes(extension)) {
      throw new FilesApiError(
        400,
        'InvalidParameter',
        `Unsupported file type "${file.filename}" for purpose file-extract: use one of ${fileExtractExtensions.join(', ')}.`,
        'file',
      );
    }
    if (purpose === 'batch' && extension !== 'jsonl') {
      throw new FilesApiError(
        400,
        'InvalidParameter',
        `A batch input file must be a .jsonl file, got "${file.filename}".`,
        'file',
      );
    }
    const maxBytes = maxBytesFor(purpose);
    if (file.bytes > maxBytes) {
      throw new FilesApiError(
        400,
        'InvalidParameter',
        `File too large: "${file.filename}" has ${file.bytes} bytes, the limit for purpose ${purpose} is ${describeSize(maxBytes)}.`,
        'file',
      );
    }
    if (file.bytes === 0) {
      throw new FilesApiError(400, 'InvalidParameter', `The file "${file.filename}" is empty.`, 'file');
    }
    if (purpose === 'batch' && file.batchError !== undefined) {
      throw new FilesApiError(
        400,
        'InvalidParameter',
        `Invalid batch input file "${file.filename}": ${file.batchError}. Each line must be a JSON object with "custom_id", "method": "POST", "url" and "body".`,
        'file',
      );
    }
    checkFileCount(account);
    const heldBytes = records
      .filter((record) => record.account === account.name)
      .reduce((total, record) => total + record.bytes, 0);
    if (heldBytes + file.bytes > limits.maxTotalBytes) {
      throw new FilesApiError(
        400,
        'InvalidParameter',
        `Storage limit reached: the account holds ${heldBytes} bytes and this file of ${file.bytes} bytes would exceed ${describeSize(limits.maxTotalBytes)}. Delete files you no longer need.`,
        'file',
      );
    }
    const now = context.clock.now();
    const filePurpose = purpose as FilePurpose;
    const id = newId(filePurpose);
    sequence += 1;
    return {
      id,
      account: account.name,
      filename: file.filename,
      purpose: filePurpose,
      bytes: file.bytes,
      createdAtMs: now,
      readyAtMs: now + processingDelayMs,
      parseError: purpose === 'file-extract' ? file.parseError : undefined,
      path: join(directory, id),
      sequence,
    };
  }

  function list(exchange: Exchange, account: EmulatorAccount): void {
    const { limit, after, purpose, createdBeforeMs, createdAfterMs } = parseListQuery(
      exchange.url.searchParams,
    );
    const cursor = after === undefined ? undefined : cursors.get(after);
    if (after !== undefined && cursor?.account !== account.name) {
      throw new FilesApiError(
        400,
        'InvalidParameter',
        `Invalid after "${after}": no file has this id.`,
        'after',
      );
    }
    const matching = records
      .filter(
        (record) =>
          record.account === account.name &&
          (purpose === undefined || record.purpose === purpose) &&
          (createdBeforeMs === undefined || record.createdAtMs < createdBeforeMs) &&
          (createdAfterMs === undefined || record.createdAtMs > createdAfterMs) &&
          (cursor === undefined || compareListOrder(cursor, record) < 0),
      )
      .sort(compareListOrder);
    sendJson(exchange.response, 200, {
      object: 'list',
      data: matching.slice(0, limit).map(toWire),
      has_more: matching.length > limit,
    });
  }

  async function handleBatch(exchange: Exchange, account: EmulatorAccount): Promise<void> {
    const { request, response, route, url } = exchange;
    const id = decodePathSegment(url.pathname.slice(batchesPath.length + 1).split('/')[0] ?? '');
    if (route === filesRoutes.batchCreate) {
      let body: unknown;
      try {
        body = await readJsonBody(request);
      } catch (error) {
        throw new FilesApiError(400, 'InvalidParameter', (error as Error).message);
      }
      return sendJson(response, 200, await batches.create(account.name, body));
    }
    await drainRequest(request);
    if (route === filesRoutes.batchList)
      return sendJson(response, 200, batches.list(account.name, url.searchParams));
    if (route === filesRoutes.batchRetrieve)
      return sendJson(response, 200, batches.retrieve(account.name, id));
    return sendJson(response, 200, batches.cancel(account.name, id));
  }

  async function sendContent(exchange: Exchange, record: FileRecord): Promise<void> {
    const { response } = exchange;
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': record.bytes,
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(record.filename)}`,
    });
    await pipeline(createReadStream(record.path), response);
  }

  async function remove(exchange: Exchange, account: EmulatorAccount, id: string): Promise<void> {
    const record = findRecord(account, id);
    records.splice(records.indexOf(record), 1);
    await rm(record.path, { force: true });
    sendJson(exchange.response, 200, { object: 'file', deleted: true, id });
  }

  return {
    name: 'files',

    match(method, url) {
      return matchFilesRoute(method, url.pathname);
    },

    async handle(exchange) {
      const { request, response, route } = exchange;
      const existingId = response.getHeader('x-request-id');
      const requestId = typeof existingId === 'string' ? existingId : randomUUID();
      response.setHeader('x-request-id', requestId);
      try {
        const account = authenticate(request);
        exchange.setAccount(account.name);
        await batches.settle();
        if (route.startsWith('batches.')) return await handleBatch(exchange, account);
        if (route !== filesRoutes.unknown) checkQuota(route, account);
        const id = decodePathSegment(exchange.url.pathname.slice(basePath.length + 1).split('/')[0] ?? '');
        if (route === filesRoutes.upload) return await upload(exchange, account);
        await drainRequest(request);
        if (route === filesRoutes.list) return list(exchange, account);
        if (route === filesRoutes.retrieve) return sendJson(response, 200, toWire(findRecord(account, id)));
        if (route === filesRoutes.content) return await sendContent(exchange, findRecord(account, id));
        if (route === filesRoutes.delete) return await remove(exchange, account, id);
        throw new FilesApiError(
          404,
          'NotFound',
          `Unknown request URL: ${request.method} ${exchange.url.pathname}. Please check the URL and method.`,
        );
      } catch (error) {
        if (error instanceof ClientGoneError || response.headersSent) return;
        await drainRequest(request);
        const apiError =
          error instanceof FilesApiError
            ? error
            : new FilesApiError(
                500,
                'InternalError',
                `Internal error: ${(error as Error)?.message ?? String(error)}`,
              );
        sendFilesError(response, apiError, requestId);
      }
    },

    state: {
      get batches() {
        return batches.state;
      },
      get files() {
        return records.map((record) => ({
          id: record.id,
          account: record.account,
          filename: record.filename,
          purpose: record.purpose,
          bytes: record.bytes,
          createdAtMs: record.createdAtMs,
          status: statusOf(record),
          statusDetails: record.parseError ?? null,
          path: record.path,
        }));
      },
    },

    sendError(exchange, error) {
      const existingId = exchange.response.getHeader('x-request-id');
      const requestId = typeof existingId === 'string' ? existingId : randomUUID();
      for (const [name, value] of Object.entries(error.headers)) exchange.response.setHeader(name, value);
      exchange.response.setHeader('x-request-id', requestId);
      sendFilesError(
        exchange.response,
        new FilesApiError(error.status, error.code, error.message),
        requestId,
      );
    },

    async close() {
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * The route name of a request under `/compatible-mode/v1/` (everything the DashScope surface did not claim): a Files
 * API call, or `files.unknown`, answered with a 404 in the OpenAI envelope.
 */
export function matchFilesRoute(method: string, pathname: string): string | undefined {
  if (!pathname.startsWith('/compatible-mode/v1/') && pathname !== '/compatible-mode/v1') return undefined;
  if (pathname === batchesPath) {
    if (method === 'POST') return filesRoutes.batchCreate;
    if (method === 'GET') return filesRoutes.batchList;
    return filesRoutes.unknown;
  }
  if (pathname.startsWith(`${batchesPath}/`)) {
    const [id = '', child, ...more] = pathname.slice(batchesPath.length + 1).split('/');
    if (id === '' || more.length > 0) return filesRoutes.unknown;
    if (child === undefined && method === 'GET') return filesRoutes.batchRetrieve;
    if (child === 'cancel' && method === 'POST') return filesRoutes.batchCancel;
    return filesRoutes.unknown;
  }
  if (pathname === basePath) {
    if (method === 'POST') return filesRoutes.upload;
    if (method === 'GET') return filesRoutes.list;
    return filesRoutes.unknown;
  }
  const rest = pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length + 1) : '';
  const [id = '', child, ...more] = rest.split('/');
  if (id === '' || more.length > 0) return filesRoutes.unknown;
  if (child === 'content') return method === 'GET' ? filesRoutes.content : filesRoutes.unknown;
  if (child !== undefined) return filesRoutes.unknown;
  if (method === 'GET') return filesRoutes.retrieve;
  if (method === 'DELETE') return filesRoutes.delete;
  return filesRoutes.unknown;
}
