import { InvalidInputError } from '@x/transport';
import { type IngestQueue, ingestKeys } from './create-ingest-queue.js';
import type { IngestJobData } from './enqueue.js';

/** One document that failed for good (until `retryFailed`). */
export interface IngestFailure {
  /** The job's id. */
  readonly jobId: string;
  /** The flow's name. */
  readonly flow: string;
  /** The document's path or URL. */
  readonly source: string;
  /** Why: `<CODE>: <message>` as the flow or the transport reported it. */
  readonly reason: string;
  /** Runs of the job so far. */
  readonly attemptsMade: number;
  /** When it failed, in milliseconds since the epoch. */
  readonly failedAtMs: number | undefined;
}

/** A snapshot of a batch, as {@link progress} reports it. */
export interface IngestProgress {
  /** Documents in the queue's books: finished, waiting, running, delayed and failed. */
  readonly total: number;
  /** Documents finished, including those whose jobs were removed. */
  readonly completed: number;
  /** Documents running now on some worker. */
  readonly active: number;
  /** Documents waiting for a worker (including those held by a pause or a throttle). */
  readonly waiting: number;
  /** Documents waiting for their retry delay. */
  readonly delayed: number;
  /** Documents failed for good (see `retryFailed`). */
  readonly failed: number;
  /** Documents finished per second over the last `windowMs`, on every worker together. */
  readonly ratePerSecond: number;
  /** Time to finish what is left at that rate, in milliseconds; `undefined` while nothing has finished lately. */
  readonly etaMs: number | undefined;
  /** The first failures, oldest first, up to `failureLimit`. */
  readonly failures: readonly IngestFailure[];
  /** Failures counted by code (the part of the reason before the first `:`), over up to 1000 of them. */
  readonly failureCodes: Readonly<Record<string, number>>;
}

/** Options of {@link progress}. */
export interface ProgressOptions {
  /**
   * The window the rate is measured over.
   * @default 60000
   */
  windowMs?: number;
  /**
   * Failures listed with their reasons.
   * @default 20
   */
  failureLimit?: number;
  /** Stops the reading; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Reads where a batch stands, from any process: totals, the rate every worker achieves together, failures with
 * their reasons, and the time left. It only reads Redis; call it as often as a display needs.
 *
 * @throws `InvalidInputError` (from `@x/transport`) `INVALID_OPTIONS` for a window or limit that is not a positive integer.
 * @throws `signal.reason` when aborted.
 * @example
 * ```ts
 * const { completed, total, ratePerSecond, etaMs, failures } = await progress(queue);
 * ```
 */
export async function progress(queue: IngestQueue, options: ProgressOptions = {}): Promise<IngestProgress> {
  const { windowMs = 60_000, failureLimit = 20, signal } = options;
  for (const [label, value, min] of [
    ['windowMs', windowMs, 1000],
    ['failureLimit', failureLimit, 0],
  ] as const) {
    if (!Number.isInteger(value) || value < min) {
      throw new InvalidInputError('INVALID_OPTIONS', `${label} must be an integer >= ${min}, got ${value}`);
    }
  }
  signal?.throwIfAborted();
  const keys = ingestKeys(queue);
  const now = Date.now();
  const [counts, books, failedJobs] = await Promise.all([
    queue.queue.getJobCounts('wait', 'prioritized', 'waiting-children', 'active', 'delayed', 'failed'),
    queue.redis
      .multi()
      .hlen(keys.done)
      .zcount(keys.completions, now - windowMs, '+inf')
      .zrangebyscore(keys.completions, now - windowMs, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
      .exec(),
    queue.queue.getFailed(0, 999),
  ]);
  signal?.throwIfAborted();
  const replies = (books ?? []) as [unknown, unknown][];
  const [completedReply, recentReply, oldestReply] = replies.map((reply) => reply[1]);
  const completed = Number(completedReply ?? 0);
  const recent = Number(recentReply ?? 0);
  const oldest = Array.isArray(oldestReply) && oldestReply.length === 2 ? Number(oldestReply[1]) : undefined;
  const waiting = (counts.wait ?? 0) + (counts.prioritized ?? 0) + (counts['waiting-children'] ?? 0);
  const active = counts.active ?? 0;
  const delayed = counts.delayed ?? 0;
  const failed = counts.failed ?? 0;
  // Measured from the oldest completion in the window, so a batch that started 5 s ago is not diluted over 60 s.
  const spanMs = oldest === undefined ? windowMs : Math.max(1000, Math.min(windowMs, now - oldest));
  const ratePerSecond = recent === 0 ? 0 : (recent * 1000) / spanMs;
  const left = waiting + active + delayed;
  const failureCodes: Record<string, number> = {};
  const failures: IngestFailure[] = [];
  for (const job of failedJobs) {
    if (!job) continue;
    const reason = job.failedReason ?? 'UNKNOWN';
    const separator = reason.indexOf(':');
    const code = separator > 0 ? reason.slice(0, separator) : reason;
    failureCodes[code] = (failureCodes[code] ?? 0) + 1;
    if (failures.length < failureLimit) {
      const data = job.data as Partial<IngestJobData> | undefined;
      failures.push({
        jobId: String(job.id),
        flow: data?.flow ?? '',
        source: data?.source ?? '',
        reason,
        attemptsMade: job.attemptsMade,
        failedAtMs: job.finishedOn,
      });
    }
  }
  return {
    total: completed + left + failed,
    completed,
    active,
    waiting,
    delayed,
    failed,
    ratePerSecond,
    etaMs: left === 0 ? 0 : ratePerSecond === 0 ? undefined : Math.round((left / ratePerSecond) * 1000),
    failures,
    failureCodes,
  };
}
