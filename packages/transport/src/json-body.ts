import { inMemoryBody } from './bytes-body.js';
import type { RequestBody } from './request-body.js';

/**
 * A JSON body (`application/json`), serialized once with `JSON.stringify`.
 *
 * @param value - Any JSON-serializable value.
 * @example
 * ```ts
 * await transport.request({ method: 'POST', path: '/batches', body: jsonBody({ input_file_id: id }) });
 * ```
 */
export function jsonBody(value: unknown): RequestBody {
  return inMemoryBody(Buffer.from(JSON.stringify(value) ?? 'null', 'utf8'), 'application/json');
}
