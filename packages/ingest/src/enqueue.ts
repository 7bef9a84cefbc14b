import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { md5File } from '@x/hash';
import { InvalidInputError } from '@x/transport';
import { type IngestQueue, ingestKeys } from './create-ingest-queue.js';
import type { JsonValue, SourceFingerprint } from './ingest-flow.js';
import { checkFlowName, ingestJobId } from './job-id.js';

/** How a local file's version is told apart: by size and mtime (no read), or by the MD5 of its bytes. */
export type FingerprintMode = 'stat' | 'md5';

/** What a job carries: enough for any worker on any machine to run it. */
export interface IngestJobData {
  /** The flow's name. */
  readonly flow: string;
  /** An absolute local path, or an `http(s)://` URL. */
  readonly source: string;
  /** The flow options given to `enqueue`. */
  readonly options: { readonly [key: string]: JsonValue };
  /** The source's version when it was enqueued. */
  readonly fingerprint: SourceFingerprint;
}

/** Options of {@link enqueue}. */
export interface EnqueueOptions {
  /** The queue to add to. */
  queue: IngestQueue;
  /** The name of the flow that will take the documents in (`kb`, `files`, `oss`, or your own). */
  flow: string;
  /**
   * Options handed to the flow with every document (a category, a purpose, a model...). Stored on each job, so they
   * must be plain JSON, and never a secret: workers take credentials from their own environment.
   * @default {}
   */
  options?: { readonly [key: string]: JsonValue };
  /**
   * What tells two versions of a local file apart. `md5` reads every file once more but survives a copy that
   * changed the mtime. URLs are identified by the URL alone.
   * @default 'stat'
   */
  fingerprint?: FingerprintMode;
  /**
   * Sources examined at once (stat or MD5 of local files) and added in one round trip.
   * @default 500
   */
  batchSize?: number;
  /** Called after each batch with the counts so far. */
  onProgress?: (counts: EnqueueResult) => void;
  /** Stops enqueuing between batches; the promise rejects with `signal.reason`. Jobs already added stay. */
  signal?: AbortSignal;
}

/** What {@link enqueue} did. */
export interface EnqueueResult {
  /** Jobs added. */
  added: number;
  /** Sources already finished in this queue (same flow, source and version). */
  alreadyDone: number;
  /** Sources whose job is already in the queue (waiting, running, delayed or failed). */
  alreadyQueued: number;
}

/**
 * Adds one job per source, each with an idempotent id (see `ingestJobId`): enqueuing the same folder twice adds
 * nothing, while a file whose size, mtime (or MD5) changed is added again as a new version. A source already
 * finished is skipped even when its job has been removed from Redis (`keepCompleted`), because finished documents
 * are recorded apart from the jobs. Paths are made absolute; workers on other machines must see the same path
 * (a shared mount) or be given URLs.
 *
 * @throws `InvalidInputError` (from `@x/transport`) `INVALID_FLOW_NAME`, `INVALID_SOURCE` (empty, or a local file that cannot be
 * read: the message names it), `INVALID_OPTIONS` (options that are not plain JSON); nothing is added from the batch
 * that holds a bad source.
 * @throws `signal.reason` when aborted.
 * @example
 * ```ts
 * const queue = createIngestQueue({ connection: 'redis://127.0.0.1:6379' });
 * const { added } = await enqueue(['/data/a.pdf', '/data/b.pdf'], { queue, flow: 'kb', options: { categoryId: 'default' } });
 * ```
 */
export async function enqueue(
  sources: Iterable<string> | AsyncIterable<string>,
  options: EnqueueOptions,
): Promise<EnqueueResult> {
  const { queue, flow, fingerprint = 'stat', batchSize = 500, signal, onProgress } = options;
  const flowOptions = options.options ?? {};
  checkFlowName(flow);
  checkJson(flowOptions);
  if (fingerprint !== 'stat' && fingerprint !== 'md5') {
    throw new InvalidInputError(
      'INVALID_OPTIONS',
      `fingerprint must be 'stat' or 'md5', got ${String(fingerprint)}`,
    );
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidInputError('INVALID_OPTIONS', `batchSize must be a positive integer, got ${batchSize}`);
  }
  signal?.throwIfAborted();
  const result: EnqueueResult = { added: 0, alreadyDone: 0, alreadyQueued: 0 };
  let batch: string[] = [];
  const flush = async () => {
    const jobs = await describeSources(batch, flow, flowOptions, fingerprint, signal);
    batch = [];
    signal?.throwIfAborted();
    await addJobs(queue, jobs, result);
    onProgress?.({ ...result });
  };
  for await (const source of sources) {
    batch.push(source);
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  return result;
}

async function describeSources(
  sources: string[],
  flow: string,
  options: { readonly [key: string]: JsonValue },
  mode: FingerprintMode,
  signal: AbortSignal | undefined,
): Promise<{ id: string; data: IngestJobData }[]> {
  const jobs: { id: string; data: IngestJobData }[] = [];
  // A few files at a time: stat is cheap, MD5 reads the file.
  const width = mode === 'md5' ? 4 : 32;
  for (let start = 0; start < sources.length; start += width) {
    const described = await Promise.all(
      sources.slice(start, start + width).map((source) => describeSource(source, mode, signal)),
    );
    for (const { source, fingerprint } of described) {
      jobs.push({ id: ingestJobId(flow, source, fingerprint), data: { flow, source, options, fingerprint } });
    }
  }
  return jobs;
}

async function describeSource(
  raw: string,
  mode: FingerprintMode,
  signal: AbortSignal | undefined,
): Promise<{ source: string; fingerprint: SourceFingerprint }> {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new InvalidInputError('INVALID_SOURCE', `Source ${JSON.stringify(raw)} is not a path or a URL`);
  }
  if (/^https?:\/\//i.test(raw)) {
    try {
      return { source: new URL(raw).href, fingerprint: {} };
    } catch {
      throw new InvalidInputError('INVALID_SOURCE', `Source ${JSON.stringify(raw)} is not a valid URL`);
    }
  }
  const source = isAbsolute(raw) ? raw : resolve(raw);
  try {
    const info = await stat(source);
    if (!info.isFile()) throw new Error('not a regular file');
    if (mode === 'md5') {
      const digest = await md5File(source, signal ? { signal } : {});
      return { source, fingerprint: { sizeBytes: digest.sizeBytes, md5: digest.hex } };
    }
    return { source, fingerprint: { sizeBytes: info.size, mtimeMs: Math.trunc(info.mtimeMs) } };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new InvalidInputError(
      'INVALID_SOURCE',
      `Source ${source} cannot be read: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

async function addJobs(
  queue: IngestQueue,
  jobs: { id: string; data: IngestJobData }[],
  result: EnqueueResult,
): Promise<void> {
  if (jobs.length === 0) return;
  const keys = ingestKeys(queue);
  const check = queue.redis.pipeline();
  for (const job of jobs) {
    check.hexists(keys.done, job.id);
    check.exists(`${queue.prefix}:${queue.name}:${job.id}`);
  }
  const replies = (await check.exec()) ?? [];
  const fresh: { id: string; data: IngestJobData }[] = [];
  const seen = new Set<string>();
  jobs.forEach((job, index) => {
    const [doneError, isDone] = replies[index * 2] ?? [];
    const [existsError, exists] = replies[index * 2 + 1] ?? [];
    if (doneError) throw doneError;
    if (existsError) throw existsError;
    if (isDone === 1) result.alreadyDone++;
    else if (exists === 1 || seen.has(job.id)) result.alreadyQueued++;
    else {
      seen.add(job.id);
      fresh.push(job);
    }
  });
  if (fresh.length === 0) return;
  // BullMQ adds a job id only once while the job exists; the check above covers jobs already removed.
  await queue.queue.addBulk(
    fresh.map((job) => ({ name: job.data.flow, data: job.data, opts: { jobId: job.id } })),
  );
  result.added += fresh.length;
}

function checkJson(value: unknown): void {
  try {
    const copy = JSON.parse(JSON.stringify(value)) as unknown;
    if (typeof copy !== 'object' || copy === null || Array.isArray(copy)) throw new Error('not an object');
  } catch (error) {
    throw new InvalidInputError('INVALID_OPTIONS', 'options must be a plain JSON object', { cause: error });
  }
}
