import { InvalidInputError } from '@x/transport';
import type { IngestQueue } from './create-ingest-queue.js';
import { type IngestProgress, progress } from './progress.js';

/** Options of {@link waitForBatch}. */
export interface WaitForBatchOptions {
  /**
   * Time between two readings of the queue.
   * @default 1000
   */
  intervalMs?: number;
  /** Called with each reading. */
  onProgress?: (snapshot: IngestProgress) => void;
  /** Stops waiting; the promise rejects with `signal.reason`. The batch itself goes on. */
  signal?: AbortSignal;
}

/**
 * Resolves when nothing is left to run in the queue (every document finished or failed for good), with the last
 * reading. It only watches: workers, wherever they run, do the work.
 *
 * @throws `InvalidInputError` (from `@x/transport`) `INVALID_OPTIONS` for an interval under 50 ms.
 * @throws `signal.reason` when aborted.
 * @example
 * ```ts
 * const { completed, failed } = await waitForBatch(queue, { onProgress: (p) => render(p) });
 * ```
 */
export async function waitForBatch(
  queue: IngestQueue,
  options: WaitForBatchOptions = {},
): Promise<IngestProgress> {
  const { intervalMs = 1000, onProgress, signal } = options;
  if (!Number.isInteger(intervalMs) || intervalMs < 50) {
    throw new InvalidInputError('INVALID_OPTIONS', `intervalMs must be an integer >= 50, got ${intervalMs}`);
  }
  for (;;) {
    const snapshot = await progress(queue, signal ? { signal } : {});
    onProgress?.(snapshot);
    if (snapshot.waiting + snapshot.active + snapshot.delayed === 0) return snapshot;
    await sleep(intervalMs, signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
