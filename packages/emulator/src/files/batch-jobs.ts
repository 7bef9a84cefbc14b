import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { FilesApiError } from './files-api-error.js';

/** Where a batch is, as the OpenAI Batch API names it. */
export type BatchStatus =
  | 'validating'
  | 'failed'
  | 'in_progress'
  | 'finalizing'
  | 'completed'
  | 'expired'
  | 'cancelling'
  | 'cancelled';

/**
 * When a batch moves on, counted from its creation (or its cancel) on the emulated clock. A batch whose requests would
 * still be running when its `completion_window` ends (`finalizingAfterMs` beyond the window) expires instead: at
 * `expires_at` it is `expired`, with the requests answered by then in its output file and the rest in its error file
 * as `batch_expired`.
 */
export interface BatchSchedule {
  /**
   * Delay before `validating` becomes `in_progress`.
   * @default 500
   */
  readonly inProgressAfterMs?: number;
  /**
   * Delay before `in_progress` becomes `finalizing`; the requests are answered one after another, evenly, between
   * `in_progress` and `finalizing`.
   * @default 2000
   */
  readonly finalizingAfterMs?: number;
  /**
   * Delay before `finalizing` becomes `completed` and the output and error files appear.
   * @default 2500
   */
  readonly completedAfterMs?: number;
  /**
   * Delay between a cancel and `cancelled`.
   * @default 500
   */
  readonly cancelledAfterMs?: number;
}

/** One batch as tests see it. */
export interface StoredBatch {
  /** `batch_…`. */
  readonly id: string;
  /** Owning account. */
  readonly account: string;
  /** Status now (output files appear once a request reaches the surface after completion). */
  readonly status: BatchStatus;
  /** The input file. */
  readonly inputFileId: string;
  /** The `batch_output` file of answered requests, once completed. */
  readonly outputFileId: string | null;
  /** The `batch_output` file of failed requests, once completed, when some failed. */
  readonly errorFileId: string | null;
}

/** A stored input file, as the batch jobs need it. */
export interface BatchInputFile {
  /** Path of the bytes. */
  readonly path: string;
  /** The file's purpose. */
  readonly purpose: string;
}

/** What batch jobs need from the Files API surface. */
export interface BatchJobsDependencies {
  /** Emulated time. */
  readonly now: () => number;
  /** The account's file, or `undefined`. */
  readonly findFile: (account: string, id: string) => BatchInputFile | undefined;
  /** A fresh path for a file to be written. */
  readonly newPath: () => string;
  /** Registers a written file as a `batch_output` file of the account; returns its id. */
  readonly addOutputFile: (
    account: string,
    filename: string,
    path: string,
    createdAtMs: number,
  ) => Promise<string>;
  /** Schedule. */
  readonly schedule: BatchSchedule | undefined;
  /** Most requests one batch may hold; more fail its validation. */
  readonly maxRequests: number;
}

/** One reason a batch failed its validation, as the Batch object's `errors.data` lists it. */
export interface BatchValidationError {
  /** `too_many_requests` or `mismatched_model`. */
  readonly code: string;
  /** What is wrong, in words. */
  readonly message: string;
  /** The input field at fault, or `null`. */
  readonly param: string | null;
  /** The input file's line at fault (from 1), or `null`. */
  readonly line: number | null;
}

interface BatchRecord {
  readonly id: string;
  readonly account: string;
  readonly endpoint: string;
  readonly inputFileId: string;
  readonly inputPath: string;
  readonly completionWindow: string;
  readonly metadata: Record<string, string> | null;
  readonly createdAtMs: number;
  /** Length of the completion window. */
  readonly windowMs: number;
  readonly sequence: number;
  /** Why validation fails, when it does (read once, at creation). */
  readonly validationErrors: readonly BatchValidationError[];
  /** Requests in the input file. */
  readonly requestCount: number;
  cancelledAtMs?: number;
  outputFileId?: string;
  errorFileId?: string;
  counts?: { total: number; completed: number; failed: number };
  settling?: Promise<void>;
}

const endpoints = ['/v1/chat/completions', '/v1/embeddings'];
const hourMs = 3600 * 1000;

/**
 * The shortest and longest `completion_window` the service takes: a whole number of hours (`h`) or days (`d`) from 24
 * hours to 336 hours (14 days), as Model Studio's OpenAI-compatible Batch documentation states it ("shortest 24h,
 * longest 336h, integers only, units h and d, e.g. 24h or 14d"); the specs in this repository do not cover Batch.
 */
const shortestWindowMs = 24 * hourMs;
const longestWindowMs = 336 * hourMs;

/** The `completion_window` (`24h`, `2d`) in milliseconds, or undefined when it is not a whole `<n>h` / `<n>d`. */
function windowMsOf(completionWindow: unknown): number | undefined {
  if (typeof completionWindow !== 'string' || !/^\d{1,6}[hd]$/.test(completionWindow)) return undefined;
  const amount = Number(completionWindow.slice(0, -1));
  return amount * (completionWindow.endsWith('d') ? 24 * hourMs : hourMs);
}

/**
 * Reads a stored input file once, holding one line at a time: too many requests, or requests for more than one model
 * (the console's batch inference rules: one file, one model), fail the batch's validation.
 */
async function validateInput(
  path: string,
  maxRequests: number,
): Promise<{ errors: BatchValidationError[]; requestCount: number }> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let requestCount = 0;
  let firstModel: { model: string; line: number } | undefined;
  let mismatch: BatchValidationError | undefined;
  for await (const text of lines) {
    lineNumber += 1;
    if (text.trim() === '') continue;
    requestCount += 1;
    if (mismatch !== undefined) continue;
    const model = (JSON.parse(text) as { body?: { model?: unknown } }).body?.model;
    if (typeof model !== 'string' || model === '') continue;
    if (firstModel === undefined) {
      firstModel = { model, line: lineNumber };
    } else if (model !== firstModel.model) {
      mismatch = {
        code: 'mismatched_model',
        message: `Line ${lineNumber} asks for model "${model}", line ${firstModel.line} for "${firstModel.model}": every request of a batch must use the same model.`,
        param: 'body.model',
        line: lineNumber,
      };
    }
  }
  const errors: BatchValidationError[] = [];
  if (requestCount > maxRequests) {
    errors.push({
      code: 'too_many_requests',
      message: `The input file holds ${requestCount} requests; a batch may hold at most ${maxRequests}.`,
      param: null,
      line: null,
    });
  }
  if (mismatch !== undefined) errors.push(mismatch);
  return { errors, requestCount };
}

/**
 * The Batch API of compatible mode (OpenAI's `batches`: create, retrieve, list, cancel) on the emulated clock. A batch
 * validates its `batch` input file, runs, and on completion writes a `batch_output` file with one answer per request
 * and, when some requests failed (a `url` other than the batch's endpoint, a body without `model`), an error file;
 * both are listed, retrieved and downloaded through the Files API.
 *
 * A batch whose input holds more than `maxRequests` requests (50,000 documented) or requests for more than one model
 * ends `failed` when validation ends, with `errors` and no output. A batch still running when its `completion_window`
 * ends (a schedule longer than the window) ends `expired` at `expires_at`: the requests answered by then are in its
 * output file, the others in its error file with the code `batch_expired` (OpenAI's Batch object and error file).
 *
 * @example
 * ```ts
 * const batches = createBatchJobs({ now, findFile, newPath, addOutputFile, schedule: { completedAfterMs: 0 } });
 * const batch = batches.create('default', { input_file_id: 'file-batch-x', endpoint: '/v1/chat/completions', completion_window: '24h' });
 * ```
 */
export function createBatchJobs(dependencies: BatchJobsDependencies) {
  const schedule = dependencies.schedule ?? {};
  const inProgressAfterMs = schedule.inProgressAfterMs ?? 500;
  const finalizingAfterMs = Math.max(schedule.finalizingAfterMs ?? 2000, inProgressAfterMs);
  const completedAfterMs = Math.max(schedule.completedAfterMs ?? 2500, finalizingAfterMs);
  const cancelledAfterMs = schedule.cancelledAfterMs ?? 500;
  const records: BatchRecord[] = [];
  let sequence = 0;

  /** Whether the batch's requests would still be running when its window ends. */
  function expires(record: BatchRecord): boolean {
    return finalizingAfterMs > record.windowMs;
  }

  /** When the batch's output is due: completion, or expiry. */
  function dueAfterMs(record: BatchRecord): number {
    return expires(record) ? record.windowMs : completedAfterMs;
  }

  function isFailed(record: BatchRecord): boolean {
    return record.validationErrors.length > 0 && !(expires(record) && record.windowMs < inProgressAfterMs);
  }

  function statusOf(record: BatchRecord, nowMs: number): BatchStatus {
    if (record.cancelledAtMs !== undefined) {
      return nowMs - record.cancelledAtMs >= cancelledAfterMs ? 'cancelled' : 'cancelling';
    }
    const elapsedMs = nowMs - record.createdAtMs;
    if (expires(record) && elapsedMs >= record.windowMs && !isFailed(record)) {
      return record.counts === undefined ? 'in_progress' : 'expired';
    }
    if (elapsedMs < inProgressAfterMs) return 'validating';
    if (isFailed(record)) return 'failed';
    if (elapsedMs < finalizingAfterMs) return 'in_progress';
    if (elapsedMs < completedAfterMs || record.counts === undefined) return 'finalizing';
    return 'completed';
  }

  function seconds(ms: number | undefined): number | null {
    return ms === undefined ? null : Math.floor(ms / 1000);
  }

  function toWire(record: BatchRecord) {
    const nowMs = dependencies.now();
    const status = statusOf(record, nowMs);
    const reached = (afterMs: number) =>
      nowMs - record.createdAtMs >= afterMs ? record.createdAtMs + afterMs : undefined;
    const isCancelled = record.cancelledAtMs !== undefined;
    const isFailedNow = status === 'failed';
    const hasOutput = status === 'completed' || status === 'expired';
    return {
      id: record.id,
      object: 'batch',
      endpoint: record.endpoint,
      errors: isFailedNow ? { object: 'list', data: record.validationErrors } : null,
      input_file_id: record.inputFileId,
      completion_window: record.completionWindow,
      status,
      output_file_id: hasOutput ? (record.outputFileId ?? null) : null,
      error_file_id: hasOutput ? (record.errorFileId ?? null) : null,
      created_at: seconds(record.createdAtMs),
      in_progress_at: isCancelled || isFailedNow ? null : seconds(reached(inProgressAfterMs)),
      expires_at: seconds(record.createdAtMs + record.windowMs),
      finalizing_at:
        isCancelled || isFailedNow || expires(record) ? null : seconds(reached(finalizingAfterMs)),
      completed_at: status === 'completed' ? seconds(record.createdAtMs + completedAfterMs) : null,
      failed_at: isFailedNow ? seconds(record.createdAtMs + inProgressAfterMs) : null,
      expired_at: status === 'expired' ? seconds(record.createdAtMs + record.windowMs) : null,
      cancelling_at: seconds(record.cancelledAtMs),
      cancelled_at: status === 'cancelled' ? seconds((record.cancelledAtMs ?? 0) + cancelledAfterMs) : null,
      request_counts: hasOutput && record.counts ? record.counts : { total: 0, completed: 0, failed: 0 },
      metadata: record.metadata,
    };
  }

  function find(account: string, id: string): BatchRecord {
    const record = records.find((candidate) => candidate.id === id && candidate.account === account);
    if (!record) throw new FilesApiError(404, 'NotFound', `No such batch: ${id}`, 'batch_id');
    return record;
  }

  /** Runs a due batch: reads its input line by line, writes the output and error files, registers them. */
  async function run(record: BatchRecord): Promise<void> {
    const completedAtMs = record.createdAtMs + dueAfterMs(record);
    // Requests are answered evenly between in_progress and finalizing: an expired batch answered only the first ones.
    const answeredCount = expires(record)
      ? Math.min(
          record.requestCount,
          Math.max(
            0,
            Math.floor(
              (record.requestCount * (record.windowMs - inProgressAfterMs)) /
                Math.max(1, finalizingAfterMs - inProgressAfterMs),
            ),
          ),
        )
      : record.requestCount;
    const outputPath = dependencies.newPath();
    const errorPath = dependencies.newPath();
    const output = createWriteStream(outputPath);
    const errors = createWriteStream(errorPath);
    const counts = { total: 0, completed: 0, failed: 0 };
    const write = async (stream: NodeJS.WritableStream, line: unknown) => {
      if (!stream.write(`${JSON.stringify(line)}\n`)) await once(stream, 'drain');
    };
    const lines = createInterface({
      input: createReadStream(record.inputPath),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const text of lines) {
      if (text.trim() === '') continue;
      const request = JSON.parse(text) as { custom_id: string; url: string; body: Record<string, unknown> };
      counts.total += 1;
      const requestId = randomUUID();
      const lineId = `batch_req_${randomBytes(12).toString('hex')}`;
      if (counts.total > answeredCount) {
        counts.failed += 1;
        await write(errors, {
          id: lineId,
          custom_id: request.custom_id,
          response: null,
          error: {
            code: 'batch_expired',
            message: 'This request could not be executed before the completion window expired.',
          },
        });
        continue;
      }
      const model = request.body.model;
      const problem =
        request.url !== record.endpoint
          ? `The url "${request.url}" differs from the batch endpoint "${record.endpoint}".`
          : typeof model !== 'string' || model === ''
            ? 'The model parameter is required.'
            : undefined;
      if (problem !== undefined) {
        counts.failed += 1;
        await write(errors, {
          id: lineId,
          custom_id: request.custom_id,
          response: {
            status_code: 400,
            request_id: requestId,
            body: {
              error: {
                message: problem,
                type: 'invalid_request_error',
                param: null,
                code: 'InvalidParameter',
              },
            },
          },
          error: { code: 'InvalidParameter', message: problem },
        });
        continue;
      }
      counts.completed += 1;
      await write(output, {
        id: lineId,
        custom_id: request.custom_id,
        response: {
          status_code: 200,
          request_id: requestId,
          body: answer(record.endpoint, String(model), completedAtMs),
        },
        error: null,
      });
    }
    output.end();
    errors.end();
    await Promise.all([once(output, 'close'), once(errors, 'close')]);
    record.outputFileId = await dependencies.addOutputFile(
      record.account,
      `${record.id}_success.jsonl`,
      outputPath,
      completedAtMs,
    );
    if (counts.failed > 0) {
      record.errorFileId = await dependencies.addOutputFile(
        record.account,
        `${record.id}_error.jsonl`,
        errorPath,
        completedAtMs,
      );
    }
    record.counts = counts;
  }

  return {
    /** Runs every batch whose completion time has passed; call before answering any request of the surface. */
    async settle(): Promise<void> {
      const nowMs = dependencies.now();
      for (const record of records) {
        if (record.cancelledAtMs !== undefined || record.counts !== undefined || isFailed(record)) continue;
        if (nowMs - record.createdAtMs < dueAfterMs(record)) continue;
        // An input file deleted meanwhile leaves a completed batch without answers rather than a broken surface.
        record.settling ??= run(record).catch(() => {
          record.counts ??= { total: 0, completed: 0, failed: 0 };
        });
        await record.settling;
      }
    },

    /** Creates a batch; its input file is validated at once (read line by line), the verdict shown when validation ends. */
    async create(account: string, body: unknown) {
      const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      const inputFileId = input.input_file_id;
      if (typeof inputFileId !== 'string' || inputFileId === '') {
        throw new FilesApiError(
          400,
          'InvalidParameter',
          'Missing required parameter: input_file_id.',
          'input_file_id',
        );
      }
      const endpoint = input.endpoint;
      if (typeof endpoint !== 'string' || !endpoints.includes(endpoint)) {
        throw new FilesApiError(
          400,
          'InvalidParameter',
          `Invalid endpoint ${JSON.stringify(endpoint ?? null)}: use one of ${endpoints.join(', ')}.`,
          'endpoint',
        );
      }
      const completionWindow = input.completion_window;
      const windowMs = windowMsOf(completionWindow);
      if (windowMs === undefined || windowMs < shortestWindowMs || windowMs > longestWindowMs) {
        throw new FilesApiError(
          400,
          'InvalidParameter',
          `Invalid completion_window ${JSON.stringify(completionWindow ?? null)}: use a whole number of hours or days from 24h to 336h (14d), such as "24h".`,
          'completion_window',
        );
      }
      const metadata = input.metadata ?? null;
      if (
        metadata !== null &&
        (typeof metadata !== 'object' ||
          Array.isArray(metadata) ||
          Object.keys(metadata).length > 16 ||
          !Object.values(metadata).every((value) => typeof value === 'string'))
      ) {
        throw new FilesApiError(
          400,
          'InvalidParameter',
          'metadata must map at most 16 keys to strings.',
          'metadata',
        );
      }
      const file = dependencies.findFile(account, inputFileId);
      if (!file) throw new FilesApiError(404, 'NotFound', `No such file: ${inputFileId}`, 'input_file_id');
      if (file.purpose !== 'batch') {
        throw new FilesApiError(
          400,
          'InvalidParameter',
          `The input file ${inputFileId} has purpose "${file.purpose}": upload it with purpose "batch".`,
          'input_file_id',
        );
      }
      const createdAtMs = dependencies.now();
      const validation = await validateInput(file.path, dependencies.maxRequests);
      sequence += 1;
      const record: BatchRecord = {
        id: `batch_${randomUUID()}`,
        account,
        endpoint,
        inputFileId,
        inputPath: file.path,
        completionWindow: completionWindow as string,
        metadata: metadata as Record<string, string> | null,
        createdAtMs,
        windowMs,
        sequence,
        validationErrors: validation.errors,
        requestCount: validation.requestCount,
      };
      records.push(record);
      return toWire(record);
    },

    retrieve(account: string, id: string) {
      return toWire(find(account, id));
    },

    list(account: string, query: URLSearchParams) {
      const limitText = query.get('limit');
      const limit = limitText === null ? 20 : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        throw new FilesApiError(400, 'InvalidParameter', 'limit must be an integer from 1 to 100.', 'limit');
      }
      const after = query.get('after');
      const newestFirst = records
        .filter((record) => record.account === account)
        .sort((left, right) => right.sequence - left.sequence);
      const start = after === null ? 0 : newestFirst.findIndex((record) => record.id === after) + 1;
      if (after !== null && start === 0) {
        throw new FilesApiError(
          400,
          'InvalidParameter',
          `Invalid after "${after}": no batch has this id.`,
          'after',
        );
      }
      const page = newestFirst.slice(start, start + limit).map(toWire);
      return {
        object: 'list',
        data: page,
        first_id: page[0]?.id ?? null,
        last_id: page.at(-1)?.id ?? null,
        has_more: start + limit < newestFirst.length,
      };
    },

    cancel(account: string, id: string) {
      const record = find(account, id);
      const status = statusOf(record, dependencies.now());
      if (status !== 'validating' && status !== 'in_progress') {
        throw new FilesApiError(
          400,
          'InvalidParameter',
          `Cannot cancel a batch with status ${status}.`,
          'batch_id',
        );
      }
      record.cancelledAtMs = dependencies.now();
      return toWire(record);
    },

    /** Every batch, for tests. */
    get state(): StoredBatch[] {
      const nowMs = dependencies.now();
      return records.map((record) => ({
        id: record.id,
        account: record.account,
        status: statusOf(record, nowMs),
        inputFileId: record.inputFileId,
        outputFileId: record.outputFileId ?? null,
        errorFileId: record.errorFileId ?? null,
      }));
    },
  };
}

/** The emulated answer of one request: a short chat completion, or an embedding. */
function answer(endpoint: string, model: string, createdAtMs: number): Record<string, unknown> {
  const created = Math.floor(createdAtMs / 1000);
  if (endpoint === '/v1/embeddings') {
    return {
      object: 'list',
      model,
      data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
      usage: { prompt_tokens: 3, total_tokens: 3 },
    };
  }
  const content = `Emulated reply from ${model}.`;
  const completionTokens = Math.ceil(content.length / 4);
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 10, completion_tokens: completionTokens, total_tokens: 10 + completionTokens },
  };
}
