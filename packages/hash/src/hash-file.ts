import { createHash } from 'node:crypto';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { type Digest, type HashAlgorithm, toDigest } from './create-hasher.js';
import { fileError, HashError } from './hash-error.js';

/** Progress of a long hash or upload. */
export interface Progress {
  /** Bytes done so far. */
  readonly loadedBytes: number;
  /** Bytes in all, when known. */
  readonly totalBytes: number | undefined;
}

/** Options for hashing a file. */
export interface HashFileOptions {
  /** Stops the read; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called after each read with the bytes hashed so far. */
  onProgress?: (progress: Progress) => void;
  /**
   * Size of each read. Two buffers of this size are used, so the next read runs on the thread pool while the
   * current one is hashed.
   * @default 1048576 (1 MiB)
   */
  readSizeBytes?: number;
}

/** @internal The read size that measured fastest on a 2-core machine with the file in the page cache. */
export const defaultReadSizeBytes = 1 << 20;

/**
 * Hashes a file in one pass with large, overlapped reads and flat memory.
 *
 * @param algorithm - `md5`, `sha1` or `sha256`.
 * @param path - The file to hash.
 * @throws {@link HashError} `FILE_NOT_FOUND`, `NOT_A_FILE` (a directory, a FIFO, a device: checked before opening),
 * `FILE_NOT_READABLE` or `READ_FAILED`, naming the path; `INVALID_OPTIONS` for a `readSizeBytes` that is not a
 * positive integer.
 * @throws `signal.reason` when aborted.
 * @example
 * ```ts
 * const { hex } = await hashFile('sha256', 'report.pdf');
 * ```
 */
export async function hashFile(
  algorithm: HashAlgorithm,
  path: string,
  options: HashFileOptions = {},
): Promise<Digest> {
  const { signal, onProgress, readSizeBytes = defaultReadSizeBytes } = options;
  signal?.throwIfAborted();
  if (!Number.isSafeInteger(readSizeBytes) || readSizeBytes < 1) {
    throw new HashError(
      'INVALID_OPTIONS',
      `readSizeBytes must be a positive integer, got ${String(readSizeBytes)}`,
      {
        path,
      },
    );
  }
  // Checked before open(): opening a FIFO for reading blocks until a writer appears.
  const entry = await stat(path).catch((error: unknown) => {
    throw fileError(error, path);
  });
  if (!entry.isFile()) throw new HashError('NOT_A_FILE', `Not a file: ${path}`, { path });
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileError(error, path);
  }
  try {
    const stats = await handle.stat().catch((error: unknown) => {
      throw fileError(error, path);
    });
    if (!stats.isFile()) throw new HashError('NOT_A_FILE', `Not a file: ${path}`, { path });
    const totalBytes = stats.size;
    const hash = createHash(algorithm);
    const buffers = [Buffer.allocUnsafe(readSizeBytes), Buffer.allocUnsafe(readSizeBytes)] as const;
    let index = 0;
    let position = 0;
    let pending = handle.read(buffers[0], 0, readSizeBytes, 0);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const current = buffers[index]!;
      position += bytesRead;
      index ^= 1;
      // Issue the next read before hashing, so the disk and the hash work side by side.
      pending = handle.read(buffers[index]!, 0, readSizeBytes, position);
      hash.update(bytesRead === readSizeBytes ? current : current.subarray(0, bytesRead));
      onProgress?.({ loadedBytes: position, totalBytes });
      if (signal?.aborted) {
        await pending.catch(() => undefined);
        throw signal.reason;
      }
    }
    return toDigest(hash.digest(), position);
  } catch (error) {
    if (signal?.aborted && error === signal.reason) throw error;
    if (HashError.isInstance(error)) throw error;
    throw fileError(error, path);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * MD5 of a file, read once: hex for ApplyFileUploadLease, base64 for `Content-MD5`, and the size in bytes.
 *
 * @param path - The file to hash.
 * @throws {@link HashError} `FILE_NOT_FOUND`, `NOT_A_FILE` (a directory, a FIFO, a device: checked before opening),
 * `FILE_NOT_READABLE` or `READ_FAILED`, naming the path; `INVALID_OPTIONS` for a `readSizeBytes` that is not a
 * positive integer.
 * @throws `signal.reason` when aborted.
 * @example
 * ```ts
 * const { hex, sizeBytes } = await md5File('handbook.pdf', { onProgress: (p) => console.log(p.loadedBytes) });
 * ```
 */
export function md5File(path: string, options: HashFileOptions = {}): Promise<Digest> {
  return hashFile('md5', path, options);
}
