import { pollUntil } from '@x/transport';
import { checkId } from './check-id.js';
import type { ClientContext } from './client-context.js';
import { describeFile } from './file-calls.js';
import type { FileData } from './kb-lease-api.js';
import type { WaitUntilParsedOptions } from './kb-lease-options.js';
import { KnowledgeBaseError } from './knowledge-base-error.js';

/** Terminal states of spec §3.4 (and any other `*_FAILED` the service adds). */
const failedStates = new Set([
  'PARSE_FAILED',
  'SAFE_CHECK_FAILED',
  'INDEX_BUILDING_FAILED',
  'INDEX_DELETED',
  'FILE_EXPIRED',
]);

/**
 * Polls DescribeFile until `PARSE_SUCCESS` (UNSTRUCTURED) or `FILE_IS_READY` (SESSION_FILE), gently at first and
 * backing off (spec §10.5; `IN_PARSE_QUEUE` and the SESSION_FILE states of spec §3.4 are waited through). Every poll
 * is one DescribeFile under the limiter's `describeFile` quota (spec §9: 10/s).
 *
 * @throws `InvalidInputError` `INVALID_FILE_ID` before any call.
 * @throws {@link KnowledgeBaseError} `PARSE_FAILED` (or `FILE_FAILED` for `SAFE_CHECK_FAILED`, `INDEX_BUILDING_FAILED`,
 * `INDEX_DELETED`, `FILE_EXPIRED`) with the file's `ParseErrorMessage`, `fileId` and `status`.
 * @throws `PollTimeoutError` (code `TIMEOUT`) after `timeoutMs`; `signal.reason` when aborted.
 * @internal
 */
export async function waitUntilParsed(
  context: ClientContext,
  fileId: string,
  options: WaitUntilParsedOptions = {},
): Promise<FileData> {
  const {
    categoryType = 'UNSTRUCTURED',
    timeoutMs = 3_600_000,
    pollIntervalMs = 1000,
    maxPollIntervalMs = 15_000,
    signal,
  } = options;
  signal?.throwIfAborted();
  checkId('FileId', fileId);
  const goal = categoryType === 'SESSION_FILE' ? 'FILE_IS_READY' : 'PARSE_SUCCESS';
  try {
    return await pollUntil<FileData>(
      async ({ signal: pollSignal }) => {
        const file = await describeFile(context, fileId, pollSignal);
        const status = file.Status ?? '';
        if (status === goal) return { done: true, value: file };
        if (failedStates.has(status) || status.endsWith('_FAILED')) {
          throw new KnowledgeBaseError(
            status === 'PARSE_FAILED' ? 'PARSE_FAILED' : 'FILE_FAILED',
            `${file.FileName ?? fileId} (${fileId}) is ${status}${file.ParseErrorMessage ? `: ${file.ParseErrorMessage}` : ''}`,
            { fileId, status },
          );
        }
        return { done: false, value: status };
      },
      {
        signal,
        timeoutMs,
        initialDelayMs: pollIntervalMs,
        maxDelayMs: maxPollIntervalMs,
        what: `${fileId} to be ${goal}`,
        operation: 'DescribeFile',
      },
    );
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}
