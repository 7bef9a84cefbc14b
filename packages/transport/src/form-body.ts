import { inMemoryBody } from './bytes-body.js';
import type { RequestBody } from './request-body.js';

/**
 * An `application/x-www-form-urlencoded` body, encoded as the Alibaba Cloud SDK does (Node's `querystring`:
 * `! ' ( ) * ~` stay raw, a space is `%20`). Keys keep their order and case; `undefined` values are left out.
 * Pass arrays and objects as JSON strings (`Tags: JSON.stringify(tags)`).
 *
 * @param fields - Field names and values; numbers and booleans are sent as text.
 * @example
 * ```ts
 * formBody({ CategoryType: 'UNSTRUCTURED', FileName: 'a.pdf', Md5: md5, SizeInBytes: 1000 })
 * ```
 */
export function formBody(fields: Record<string, string | number | boolean | undefined>): RequestBody {
  return inMemoryBody(Buffer.from(encodeForm(fields), 'utf8'), 'application/x-www-form-urlencoded');
}

/** Encodes fields as `querystring.stringify` does, skipping `undefined`. @internal */
export function encodeForm(fields: Record<string, string | number | boolean | undefined>): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return pairs.join('&');
}
