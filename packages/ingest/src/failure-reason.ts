import { HttpStatusError, InvalidInputError, TransportError } from '@x/transport';

/** @internal How long the service asked every caller to wait, when an error says it was throttled. */
export function throttledForMs(error: unknown, fallbackMs: number): number | undefined {
  if (!TransportError.isInstance(error)) return undefined;
  const fields = error as TransportError & { status?: number; serviceCode?: string; retryAfterMs?: number };
  const isThrottled =
    fields.status === 429 ||
    (typeof fields.serviceCode === 'string' && /throttl/i.test(fields.serviceCode)) ||
    // Retries exhausted on a throttled call: the last attempt's error is the cause.
    (error.code === 'RETRIES_EXHAUSTED' && throttledForMs(error.cause, fallbackMs) !== undefined);
  if (!isThrottled) return undefined;
  const retryAfterMs = fields.retryAfterMs;
  return typeof retryAfterMs === 'number' && retryAfterMs > 0 ? retryAfterMs : fallbackMs;
}

/**
 * @internal Whether running the job again cannot help: input refused before sending, or a 4xx the service gave for
 * good. Anything else (network, 5xx, an AddFile whose outcome is uncertain) is retried: every rerun looks the
 * document up before uploading it, so a retry never adds it twice.
 */
export function isPermanent(error: unknown): boolean {
  if (InvalidInputError.isInstance(error)) return true;
  if (HttpStatusError.isInstance(error)) {
    return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
  }
  return false;
}

/** @internal The reason stored on a failed job: `<CODE>: <message>`, so progress can group failures by code. */
export function failureReason(error: unknown): string {
  if (TransportError.isInstance(error)) return `${error.code}: ${error.message}`;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === 'string' ? code : error.name}: ${error.message}`;
  }
  return `Error: ${String(error)}`;
}
