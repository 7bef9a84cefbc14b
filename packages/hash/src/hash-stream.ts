import type { Readable } from 'node:stream';
import { createHasher, type Digest, type HashAlgorithm } from './create-hasher.js';
import type { Progress } from './hash-file.js';

/** Anything whose bytes can be hashed: bytes, UTF-8 text, a Node `Readable`, a web `ReadableStream`, an async iterable. */
export type HashSource =
  | Uint8Array
  | string
  | Readable
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array>;

/** Options for hashing a stream. */
export interface HashStreamOptions {
  /** Stops reading; the promise rejects with `signal.reason` and a Node stream is destroyed. */
  signal?: AbortSignal;
  /** Called after each chunk with the bytes hashed so far. */
  onProgress?: (progress: Progress) => void;
  /** Total size, if known, passed through to `onProgress`. */
  totalBytes?: number;
}

/**
 * Hashes bytes, text, or a stream of chunks. A string is hashed as UTF-8 text (use `hashFile` for a path).
 *
 * @param algorithm - `md5`, `sha1` or `sha256`.
 * @throws `signal.reason` when aborted; whatever the stream throws when it fails.
 * @example
 * ```ts
 * const { hex } = await hashStream('md5', fs.createReadStream('a.bin'));
 * ```
 */
export async function hashStream(
  algorithm: HashAlgorithm,
  source: HashSource,
  options: HashStreamOptions = {},
): Promise<Digest> {
  const { signal, onProgress, totalBytes } = options;
  signal?.throwIfAborted();
  const hasher = createHasher(algorithm);
  if (typeof source === 'string' || source instanceof Uint8Array) {
    const digest = hasher.update(source).digest();
    onProgress?.({ loadedBytes: digest.sizeBytes, totalBytes: totalBytes ?? digest.sizeBytes });
    return digest;
  }
  const iterator = toAsyncIterator(source);
  let loadedBytes = 0;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    for (;;) {
      const next = signal ? await Promise.race([iterator.next(), aborted]) : await iterator.next();
      if (next.done) break;
      const chunk = next.value;
      hasher.update(chunk);
      loadedBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      onProgress?.({ loadedBytes, totalBytes });
    }
    return hasher.digest();
  } catch (error) {
    // Destroy first: a pending read would otherwise hold `return()` until data arrives.
    if (typeof (source as Readable).destroy === 'function') (source as Readable).destroy();
    iterator.return?.()?.catch(() => undefined);
    throw error;
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

function toAsyncIterator(
  source: Exclude<HashSource, string | Uint8Array>,
): AsyncIterator<Uint8Array | string> {
  if (Symbol.asyncIterator in source) {
    return (source as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  }
  if (Symbol.iterator in source) {
    const inner = (source as Iterable<Uint8Array>)[Symbol.iterator]();
    return { next: async () => inner.next() };
  }
  const reader = (source as ReadableStream<Uint8Array>).getReader();
  return {
    next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
    return: async () => {
      await reader.cancel();
      return { done: true, value: undefined };
    },
  };
}
