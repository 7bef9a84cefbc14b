import type { Limiter, Logger } from '@x/transport';
import { InvalidInputError } from '@x/transport';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { type IngestQueue, ingestKeys } from './create-ingest-queue.js';
import type { IngestJobData } from './enqueue.js';
import { failureReason, isPermanent, throttledForMs } from './failure-reason.js';
import type { IngestFlow, IngestFlowContext, IngestResult } from './ingest-flow.js';
import { checkFlowName } from './job-id.js';
import { stepMarkers } from './step-markers.js';
import { ingestWorkerTiming } from './worker-timing.js';

/** Options of {@link createWorker}. */
export interface IngestWorkerOptions {
  /** The queue to take jobs from. */
  queue: IngestQueue;
  /** The flows this worker can run, by name; a job of another flow fails with `UNKNOWN_FLOW`. */
  flows: readonly IngestFlow[];
  /**
   * Jobs run at once in this process. The account's quotas, not this number, bound the calls per second.
   * @default 4
   */
  concurrency?: number;
  /**
   * The limiter shared by every worker of the account (`createModelStudioLimiter` from `@x/ratelimit` with its
   * Redis store). Give the same one to the flows' clients, which consult it before every call; it is also handed to
   * flows in their context.
   * @default undefined
   */
  limiter?: Limiter;
  /**
   * Pause of the whole queue, on every worker, when a flow fails with a throttling error that carries no
   * `Retry-After`. The job goes back to the queue without using an attempt.
   * @default 1000
   */
  throttleDelayMs?: number;
  /**
   * How long a job's lock lasts without renewal (see `ingestWorkerTiming`).
   * @default 6000
   */
  lockDurationMs?: number;
  /**
   * How often this worker looks for jobs of dead workers (see `ingestWorkerTiming`).
   * @default 3000
   */
  stalledIntervalMs?: number;
  /**
   * Times a job may be found stalled before it fails.
   * @default 20
   */
  maxStalledCount?: number;
  /** Where the worker writes what happens: a job's start, its end, a throttle. Never receives a secret. */
  logger?: Logger;
  /** Closes the worker when aborted: running jobs finish first, no new one starts. */
  signal?: AbortSignal;
}

/** A running worker. */
export interface IngestWorker {
  /** The BullMQ worker underneath, for its events (`completed`, `failed`, ...). */
  readonly worker: Worker<IngestJobData, IngestResult>;
  /**
   * Stops taking jobs and resolves when the running ones have finished. With `force`, running jobs are abandoned:
   * other workers run them again after their locks expire, looking each document up first.
   */
  close(options?: { force?: boolean }): Promise<void>;
}

/**
 * Starts a worker that runs the queue's jobs with the given flows. Start any number of them, in any number of
 * processes on any number of machines, against the same Redis: each job runs on one worker at a time, and its work
 * is done once. Before a document is uploaded, the worker records that its work started; a run that finds such a
 * record (the worker before it died, or failed) asks the flow to look the document up in the service first, and
 * uploads it only when the service does not have it. The result is stored on the job and in the queue's record of
 * finished documents.
 *
 * When a flow fails with throttling (429 or a `Throttling` service code), the whole queue pauses for the time the
 * service asked, on every worker at once, and the job goes back to the queue without using an attempt.
 *
 * @throws `InvalidInputError` (from `@x/transport`) `INVALID_OPTIONS` for no flows, two flows of one name or a bad number;
 * `INVALID_FLOW_NAME` for a flow name outside `[a-z][a-z0-9-]{0,31}`.
 * @example
 * ```ts
 * const worker = createWorker({ queue, flows: [kbFlow], concurrency: 8, limiter });
 * process.once('SIGTERM', () => worker.close());
 * ```
 */
export function createWorker(options: IngestWorkerOptions): IngestWorker {
  const {
    queue,
    flows,
    concurrency = 4,
    limiter,
    throttleDelayMs = 1000,
    lockDurationMs = ingestWorkerTiming.lockDurationMs,
    stalledIntervalMs = ingestWorkerTiming.stalledIntervalMs,
    maxStalledCount = ingestWorkerTiming.maxStalledCount,
    logger,
    signal,
  } = options;
  if (!Array.isArray(flows) || flows.length === 0) {
    throw new InvalidInputError('INVALID_OPTIONS', 'flows must name at least one flow');
  }
  const flowsByName = new Map<string, IngestFlow>();
  for (const flow of flows) {
    checkFlowName(flow.name);
    if (flowsByName.has(flow.name)) {
      throw new InvalidInputError('INVALID_OPTIONS', `Two flows are named ${JSON.stringify(flow.name)}`);
    }
    flowsByName.set(flow.name, flow);
  }
  for (const [label, value, min] of [
    ['concurrency', concurrency, 1],
    ['throttleDelayMs', throttleDelayMs, 1],
    ['lockDurationMs', lockDurationMs, 1000],
    ['stalledIntervalMs', stalledIntervalMs, 500],
    ['maxStalledCount', maxStalledCount, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min) {
      throw new InvalidInputError('INVALID_OPTIONS', `${label} must be an integer >= ${min}, got ${value}`);
    }
  }
  const keys = ingestKeys(queue);
  const redis = queue.redis;

  async function run(job: Job<IngestJobData, IngestResult>, jobSignal: AbortSignal): Promise<IngestResult> {
    const { flow: flowName, source, options: flowOptions, fingerprint } = job.data;
    const flow = flowsByName.get(flowName);
    if (flow === undefined) {
      throw new UnrecoverableError(
        `UNKNOWN_FLOW: this worker runs ${[...flowsByName.keys()].join(', ')}, not ${JSON.stringify(flowName)}`,
      );
    }
    const jobId = job.id!;
    const finished = await redis.hget(keys.done, jobId);
    if (finished !== null) return JSON.parse(finished) as IngestResult;
    const attempt = await redis.hincrby(keys.started, jobId, 1);
    jobSignal.throwIfAborted();
    const context: IngestFlowContext = {
      options: flowOptions,
      jobId,
      attempt,
      fingerprint,
      limiter,
      logger,
      signal: jobSignal,
      steps: stepMarkers(queue, jobId),
    };
    let result: IngestResult | undefined;
    if (attempt > 1) {
      result = await flow.lookup(source, context);
      if (result !== undefined)
        logger?.info?.('ingest: found in the service', { jobId, source, id: result.id });
    }
    result ??= await flow.upload(source, context);
    if (typeof result?.id !== 'string' || typeof result.status !== 'string') {
      throw new UnrecoverableError(
        `INVALID_RESULT: flow ${flowName} returned no id and status for ${source}`,
      );
    }
    const now = Date.now();
    await redis
      .multi()
      .hset(keys.done, jobId, JSON.stringify(result))
      .hdel(keys.started, jobId)
      .del(keys.steps(jobId))
      .zadd(keys.completions, now, jobId)
      .zremrangebyscore(keys.completions, 0, now - 3_600_000)
      .exec();
    return result;
  }

  const worker: Worker<IngestJobData, IngestResult> = new Worker<IngestJobData, IngestResult>(
    queue.name,
    async (job, _token, bullSignal) => {
      const jobSignal = bullSignal ?? new AbortController().signal;
      try {
        return await run(job, jobSignal);
      } catch (error) {
        if (jobSignal.aborted && error === jobSignal.reason) throw error;
        if (error instanceof UnrecoverableError) throw error;
        const pauseMs = throttledForMs(error, throttleDelayMs);
        if (pauseMs !== undefined) {
          logger?.warn?.('ingest: throttled, pausing the queue', { jobId: job.id, pauseMs });
          await worker.rateLimit(pauseMs);
          throw Worker.RateLimitError();
        }
        const reason = failureReason(error);
        logger?.warn?.('ingest: job failed', { jobId: job.id, source: job.data.source, reason });
        if (isPermanent(error)) throw new UnrecoverableError(reason);
        const failure = new Error(reason, { cause: error });
        throw failure;
      }
    },
    {
      connection: redis,
      prefix: queue.prefix,
      concurrency,
      lockDuration: lockDurationMs,
      stalledInterval: stalledIntervalMs,
      maxStalledCount,
      // BullMQ honours a queue-wide pause (`rateLimit`) only on workers that have a limiter; this one never binds
      // by itself (the account's quotas are kept per call by the shared limiter), it only lets a throttle pause all.
      limiter: { max: 1_000_000, duration: 1000 },
    },
  );
  worker.on('error', (error) => logger?.error?.('ingest: worker error', { reason: failureReason(error) }));
  // A worker that lost a job's lock (its event loop stalled) stops that job: another worker now owns it.
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const jobId of jobIds) worker.cancelJob(jobId, 'LOCK_LOST: the job lock expired');
  });
  const onAbort = () => void worker.close().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  return {
    worker,
    async close(closeOptions = {}) {
      signal?.removeEventListener('abort', onAbort);
      await worker.close(closeOptions.force ?? false);
    },
  };
}
