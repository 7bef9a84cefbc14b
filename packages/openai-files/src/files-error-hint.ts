import { HttpStatusError, RetriesExhaustedError } from '@x/transport';

/** What the service documents about a failure, and what to do (seed 003, "限流", "常見問題" and "應用於生產環境"). */
function hintFor(error: HttpStatusError): string | undefined {
  // Sources: seed 003 for each hint.
  const code = error.serviceCode ?? '';
  const text = `${code} ${error.body ?? ''}`;
  if (error.status === 429 || code.startsWith('Throttling')) {
    return 'the Files API allows 3 uploads and 10 retrieve/list/delete calls per second per account; pass a shared limiter (@x/ratelimit) to every client of the account';
  }
  if (/file count|too many files|10[,.]?000|storage limit|100 ?GB|quota/i.test(text)) {
    return 'an account holds at most 10,000 files and 100 GB, and files never expire: list old files with listAll() and delete the ones you no longer need';
  }
  if (error.status === 401 || code === 'InvalidApiKey') {
    return 'API keys are per region: a Beijing (cn-beijing) key does not work in Singapore (ap-southeast-1) and the other way round';
  }
  if (code === 'Arrearage') return 'the account is in arrears: top it up in the Alibaba Cloud console';
  return undefined;
}

/**
 * Adds the service's documented hint to an HTTP status error (or to retries exhausted on one), keeping its class,
 * code, status, `serviceCode`, `requestId` and retry facts; other errors pass through unchanged. Both error envelopes
 * (OpenAI `{"error":{…}}` and DashScope `{"code","message","request_id"}`) are read by `@x/transport`.
 *
 * @internal
 */
export function withHint(error: unknown): unknown {
  if (HttpStatusError.isInstance(error)) {
    const hint = hintFor(error);
    if (hint === undefined) return error;
    const hinted = new HttpStatusError(`${error.message} (hint: ${hint})`, {
      status: error.status,
      ...(error.serviceCode === undefined ? {} : { serviceCode: error.serviceCode }),
      ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
      ...(error.body === undefined ? {} : { body: error.body }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      ...(error.operation === undefined ? {} : { operation: error.operation }),
      isRetryable: error.isRetryable,
      attempts: error.attempts,
      totalDelayMs: error.totalDelayMs,
      cause: error.cause,
    });
    return hinted;
  }
  if (RetriesExhaustedError.isInstance(error) && HttpStatusError.isInstance(error.cause)) {
    const cause = withHint(error.cause) as HttpStatusError;
    if (cause === error.cause) return error;
    return new RetriesExhaustedError(`${error.message} (hint: ${hintFor(error.cause)})`, {
      cause,
      attempts: error.attempts,
      totalDelayMs: error.totalDelayMs,
      ...(error.operation === undefined ? {} : { operation: error.operation }),
    });
  }
  return error;
}
