import { sha256Hex } from '@x/hash';
import type { RequestBody } from './request-body.js';

/**
 * A body of raw bytes or UTF-8 text, sent with an exact `content-length`.
 *
 * @param bytes - The bytes, or text encoded as UTF-8.
 * @param contentType - The `content-type` header. @default 'application/octet-stream'
 * @example
 * ```ts
 * await transport.request({ method: 'PUT', path: '/object', body: bytesBody('hello', 'text/plain') });
 * ```
 */
export function bytesBody(bytes: Uint8Array | string, contentType = 'application/octet-stream'): RequestBody {
  return inMemoryBody(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes, contentType);
}

/** A reopenable body over bytes already in memory. @internal */
export function inMemoryBody(bytes: Uint8Array, contentType: string | undefined): RequestBody {
  let hash: string | undefined;
  return {
    contentType,
    isReopenable: true,
    isConsumed: false,
    async open() {
      return { sizeBytes: bytes.byteLength, bytes };
    },
    async sha256Hex() {
      hash ??= sha256Hex(bytes);
      return hash;
    },
  };
}
