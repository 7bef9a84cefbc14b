import { pollUntil } from '@x/transport';
import { FileProcessingError } from './file-processing-error.js';
import type { FileObject } from './openai-files-api.js';
import type { WaitOptions } from './openai-files-options.js';

/**
 * Retrieves the file until its status is `processed` (seed 003, "應用於生產環境": check that `status` is `processed`
 * before use), with exponential backoff from `intervalMs` to `maxIntervalMs`; every retrieve goes through the
 * limiter's `files` quota (10 per second with list and delete, seed 003 "限流").
 *
 * @throws {@link FileProcessingError} when the status becomes `error`.
 * @throws `PollTimeoutError` (code `TIMEOUT`) after `timeoutMs`.
 * @internal
 */
export function waitUntilProcessed(
  retrieve: (id: string, signal: AbortSignal | undefined) => Promise<FileObject>,
  id: string,
  options: WaitOptions,
): Promise<FileObject> {
  const { signal, timeoutMs = 600_000, intervalMs = 500, maxIntervalMs = 5000 } = options;
  return pollUntil(
    async ({ signal: pollSignal }) => {
      const file = await retrieve(id, pollSignal);
      if (file.status === 'error') throw new FileProcessingError(file);
      // A file object without a status is taken as ready: the retrieve sample of seed 003 always has one.
      if (file.status === 'processed' || file.status === undefined) return { done: true, value: file };
      return { done: false, value: file.status };
    },
    {
      ...(signal ? { signal } : {}),
      timeoutMs,
      initialDelayMs: intervalMs,
      maxDelayMs: Math.max(intervalMs, maxIntervalMs),
      what: `file ${id} to be processed`,
      operation: 'RetrieveFile',
    },
  );
}
