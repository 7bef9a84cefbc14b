import type { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { InvalidInputError } from './invalid-input-error.js';
import type { RequestBody } from './request-body.js';

/** Anything that yields byte chunks: a Node stream, a web stream or an async iterable. */
export type StreamSource = Readable | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Options of {@link streamBody}. */
export interface StreamBodyOptions {
  /** Exact number of bytes the stream yields; becomes `content-length`. A mismatch fails the request. */
  sizeBytes: number;
  /** The `content-type` header. @default 'application/octet-stream' */
  contentType?: string;
}

/**
 * A streamed body of known length, sent with an exact `content-length`. Pass a factory (`() => stream`) to make
 * it reopenable, so a failed attempt can be retried; a bare stream is sent once and never resent.
 *
 * @param source - A function that opens a fresh stream for each attempt, or a stream to send once.
 * @throws {@link InvalidInputError} `BODY_CONSUMED` when a bare stream would be sent a second time.
 * @example
 * ```ts
 * streamBody(() => createReadStream(path), { sizeBytes: size, contentType: 'application/pdf' })
 * ```
 */
export function streamBody(
  source: (() => StreamSource) | Readable | ReadableStream<Uint8Array>,
  options: StreamBodyOptions,
): RequestBody {
  const { sizeBytes, contentType = 'application/octet-stream' } = options;
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) {
    throw new InvalidInputError('INVALID_SIZE', `sizeBytes must be a non-negative integer, got ${sizeBytes}`);
  }
  const isReopenable = typeof source === 'function';
  let isConsumed = false;
  return {
    contentType,
    isReopenable,
    get isConsumed() {
      return isConsumed;
    },
    async open() {
      if (isReopenable) return { sizeBytes, stream: toAsyncIterable(source()) };
      if (isConsumed) {
        throw new InvalidInputError(
          'BODY_CONSUMED',
          'This stream body was already sent once and cannot be resent',
        );
      }
      isConsumed = true;
      return { sizeBytes, stream: toAsyncIterable(source) };
    },
  };
}

/** Any stream source as an async iterable of byte chunks. @internal */
export function toAsyncIterable(source: StreamSource): AsyncIterable<Uint8Array> {
  return source as AsyncIterable<Uint8Array>;
}
