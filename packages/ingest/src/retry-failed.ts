import type { IngestQueue } from './create-ingest-queue.js';

/** Options of {@link retryFailed}. */
export interface RetryFailedOptions {
  /** Stops before the failed jobs are moved; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Puts every failed job back in the queue with fresh attempts, for example after the cause (a quota, a credential,
 * a file) was fixed. Each document whose earlier run may have reached the service is looked up before it is uploaded
 * again, so a retry never adds a document twice.
 *
 * @returns how many jobs were put back.
 * @throws `signal.reason` when aborted before anything was moved.
 * @example
 * ```ts
 * const { retried } = await retryFailed(queue);
 * ```
 */
export async function retryFailed(
  queue: IngestQueue,
  options: RetryFailedOptions = {},
): Promise<{ retried: number }> {
  options.signal?.throwIfAborted();
  const { failed = 0 } = await queue.queue.getJobCounts('failed');
  options.signal?.throwIfAborted();
  if (failed === 0) return { retried: 0 };
  await queue.queue.retryJobs({ state: 'failed', count: 1000 });
  return { retried: failed };
}
