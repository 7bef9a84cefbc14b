import { HttpStatusError, RetriesExhaustedError } from '@x/transport';

/**
 * The error to show for a failed item: a refusal retried to exhaustion (a 404, a 5xx) says more as the refusal
 * itself, with its service code and request id, than as "retries exhausted".
 */
export function unwrapRetries(error: unknown): unknown {
  if (RetriesExhaustedError.isInstance(error) && HttpStatusError.isInstance(error.cause)) return error.cause;
  return error;
}
