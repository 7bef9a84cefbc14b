import { TransportError } from '@x/transport';

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

/** @internal Whether running the job again cannot help: bad input, or an error the service gave for good. */
export function isPermanent(error: unknown): boolean {
  return TransportError.isInstance(error) && !error.isRetryable && error.code !== 'RETRIES_EXHAUSTED';
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
