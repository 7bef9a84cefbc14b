import { open, stat } from 'node:fs/promises';
import { hashFile } from '@x/hash';
import { InvalidInputError } from './invalid-input-error.js';
import type { RequestBody } from './request-body.js';

/** Options of {@link fileBody}. */
export interface FileBodyOptions {
  /** The `content-type` header. @default 'application/octet-stream' */
  contentType?: string;
  /**
   * The file as it was when something was derived from it (an MD5 declared to the service): every attempt checks
   * the file is still that one, and a change is `FILE_CHANGED` that a retry cannot cure. @default undefined (each
   * attempt checks the file is unchanged from its own start to its end)
   */
  unchangedSince?: FileSnapshot;
}

/** What identifies one version of a file: its size, modification time and inode. */
export interface FileSnapshot {
  /** Size in bytes. */
  readonly sizeBytes: number;
  /** Modification time, in milliseconds (with the file system's precision). */
  readonly mtimeMs: number;
  /** The inode number (a file replaced by rename has a new one). */
  readonly ino: number;
}

/**
 * The read size for streamed files: large reads are what keep uploads close to `curl`. Measured on a 2-core machine
 * (the client's CPU time for a first 1 GiB multipart upload in a fresh process, against `curl -F`), 2 MiB reads cost
 * about a fifth less client CPU than 1 MiB reads (0.62 against 0.78 s, as much as curl: half the reads, writes into
 * undici and wakeups, and less of the per-chunk code compiled mid-upload), which the receiving side gets back when
 * both share the cores; 4 and 8 MiB gain nothing more. With four recycled buffers that
 * is 8 MiB per upload in flight. @internal
 */
export const fileReadSizeBytes = 2 << 20;

/**
 * Files up to this size are read whole, in one read into one buffer of their size: a file body sends them in one
 * write, and an upload source that hashed them sends the bytes it hashed. @internal
 */
export const wholeReadMaxBytes = 1 << 20;

/**
 * A file streamed from disk with an exact `content-length` (never chunked): a file of at most 1 MiB in one read into
 * one buffer of its own size, sent in one write; a larger one in 2 MiB reads. The file is opened afresh for every
 * attempt, so the body can be retried.
 *
 * @param path - The file to send.
 * @example
 * ```ts
 * await transport.request({ method: 'PUT', path: lease.url, auth: none(), body: fileBody('report.pdf', { contentType: '' }) });
 * ```
 */
export function fileBody(path: string, options: FileBodyOptions = {}): RequestBody {
  return {
    contentType: options.contentType ?? 'application/octet-stream',
    isReopenable: true,
    isConsumed: false,
    async open(openOptions = {}) {
      const snapshot = await statFile(path);
      const expected = options.unchangedSince;
      if (expected && !isSameVersion(snapshot, expected)) throw changed(path, expected, snapshot, false);
      const { sizeBytes } = snapshot;
      if (sizeBytes <= wholeReadMaxBytes) {
        return { sizeBytes, bytes: await readWholeFile(path, sizeBytes, expected ?? snapshot) };
      }
      return {
        sizeBytes,
        stream: readFile(path, sizeBytes, openOptions.reuseBuffers === true, expected ?? snapshot),
      };
    },
    async sha256Hex(hashOptions = {}) {
      try {
        return (await hashFile('sha256', path, { signal: hashOptions.signal })).hex;
      } catch (error) {
        if (hashOptions.signal?.aborted) throw hashOptions.signal.reason;
        throw fileInputError(error, path);
      }
    },
  };
}

/** The size of a regular file, or an `InvalidInputError` that names it. @internal */
export async function fileSize(path: string): Promise<number> {
  return (await statFile(path)).sizeBytes;
}

/**
 * The size, modification time and inode of a regular file, to tell later whether it is still the same version.
 *
 * @throws {@link InvalidInputError} `FILE_NOT_FOUND`, `NOT_A_FILE` or `FILE_NOT_READABLE`, with the `path`.
 * @example
 * ```ts
 * const before = await statFile('report.pdf');
 * const md5 = await md5File('report.pdf');
 * const body = fileBody('report.pdf', { unchangedSince: before }); // FILE_CHANGED if it no longer matches the MD5
 * ```
 */
export async function statFile(path: string): Promise<FileSnapshot> {
  let stats: Awaited<ReturnType<typeof stat>>;
  try {
    stats = await stat(path);
  } catch (error) {
    throw fileInputError(error, path);
  }
  if (!stats.isFile()) throw new InvalidInputError('NOT_A_FILE', `Not a file: ${path}`, { path });
  return snapshotOf(stats);
}

function snapshotOf(stats: { size: number; mtimeMs: number; ino: number }): FileSnapshot {
  return { sizeBytes: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino };
}

function isSameVersion(a: FileSnapshot, b: FileSnapshot): boolean {
  return a.sizeBytes === b.sizeBytes && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/**
 * Fails when the file is no longer the version that was being sent (checked before the last chunk is handed over,
 * so the service never receives a complete mix of versions). @internal
 */
async function checkUnchanged(
  path: string,
  expected: FileSnapshot | undefined,
  sizeBytes: number,
): Promise<void> {
  const now = await statFile(path);
  const reference = expected ?? now;
  if (!isSameVersion(now, reference) || now.sizeBytes !== sizeBytes) {
    throw changed(path, reference, now, true);
  }
}

function changed(
  path: string,
  before: FileSnapshot,
  after: FileSnapshot,
  isRetryable: boolean,
): InvalidInputError {
  const what = [
    before.sizeBytes !== after.sizeBytes ? `size ${before.sizeBytes} -> ${after.sizeBytes} bytes` : undefined,
    before.mtimeMs !== after.mtimeMs ? 'modification time' : undefined,
    before.ino !== after.ino ? 'inode (replaced)' : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return new InvalidInputError(
    'FILE_CHANGED',
    `${path} changed while it was being sent (${what || 'contents'}); the upload was cut short so no mix of versions is stored${isRetryable ? ', and a retry reopens it and sends the new version whole' : ''}`,
    { path, isRetryable },
  );
}

/**
 * Reads exactly `sizeBytes` bytes of a file in one read, into one buffer of that size, and checks the file is still
 * the version `expected` describes (or unchanged while it was read). What a small file's body, digest and checks
 * share: one `open`, one `read`, one `stat`, and no buffer larger than the file. @internal
 *
 * @throws {@link InvalidInputError} `FILE_CHANGED` (the file shrank or is no longer that version), or the file's
 * own input error naming the path.
 */
export async function readWholeFile(
  path: string,
  sizeBytes: number,
  expected?: FileSnapshot,
): Promise<Uint8Array> {
  const bytes = Buffer.allocUnsafeSlow(sizeBytes);
  if (sizeBytes > 0) {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw fileInputError(error, path);
    }
    try {
      let position = 0;
      // One read unless the file system hands back less than asked (then the rest follows).
      while (position < sizeBytes) {
        const { bytesRead } = await handle.read(bytes, position, sizeBytes - position, position);
        if (bytesRead === 0) throw shrank(path, position, sizeBytes);
        position += bytesRead;
      }
    } catch (error) {
      throw fileInputError(error, path);
    } finally {
      await handle.close();
    }
  }
  await checkUnchanged(path, expected, sizeBytes);
  return bytes;
}

/**
 * The consumer contract that makes recycling safe: a chunk is no longer referenced once the consumer has asked for
 * two more. undici's HTTP/1.1 and HTTP/2 writers meet it: they ask for the next chunk only after `socket.write`
 * returned true (less than the socket's high-water mark, far below a read, still pending, so every earlier chunk was
 * flushed in order) or after `drain`. The next read starts when a chunk is handed over, into the slot of the chunk
 * sent three before it: with four slots that is one chunk more than the contract needs.
 */
const recycledSlots = 4;

/**
 * Reads exactly `sizeBytes` bytes of a file in reads of at most 2 MiB, sized to the file: a file smaller than that is
 * one read into one buffer of its own size. The next read starts when a chunk is handed over, so the disk works
 * while the consumer sends. With `reuseBuffers`, at most four buffers are recycled (no more than the file has
 * chunks), which keeps the copies cache-warm and the garbage collector idle; without it every chunk is a fresh
 * buffer of its own size. The last chunk is handed over only once the file is known unchanged. The file is closed
 * when the consumer stops early (abort, error). @internal
 */
export async function* readFile(
  path: string,
  sizeBytes: number,
  reuseBuffers = false,
  expected?: FileSnapshot,
): AsyncGenerator<Uint8Array> {
  if (sizeBytes === 0) {
    await checkUnchanged(path, expected, sizeBytes);
    return;
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileInputError(error, path);
  }
  const readSizeBytes = Math.min(fileReadSizeBytes, sizeBytes);
  const slotCount = reuseBuffers ? Math.min(recycledSlots, Math.ceil(sizeBytes / readSizeBytes)) : 0;
  const slots = Array.from({ length: slotCount }, () => Buffer.allocUnsafeSlow(readSizeBytes));
  // A slot is recycled only in a full ring of four; a file with fewer chunks has a slot per chunk, and a chunk
  // beyond them (a read that came back short) is read into a fresh buffer.
  const readAt = (index: number, position: number) => {
    const length = Math.min(readSizeBytes, sizeBytes - position);
    const isRecycled = index < slotCount || slotCount === recycledSlots;
    const buffer = isRecycled ? slots[index % slotCount]! : Buffer.allocUnsafeSlow(length);
    return handle.read(buffer, 0, length, position);
  };
  let position = 0;
  let index = 0;
  let pending: ReturnType<typeof readAt> | undefined = readAt(0, 0);
  try {
    while (pending) {
      let bytesRead: number;
      let buffer: Buffer;
      try {
        ({ bytesRead, buffer } = await pending);
      } catch (error) {
        pending = undefined;
        throw fileInputError(error, path);
      }
      if (bytesRead === 0) {
        pending = undefined;
        throw shrank(path, position, sizeBytes);
      }
      const chunk = bytesRead === buffer.byteLength ? buffer : buffer.subarray(0, bytesRead);
      position += bytesRead;
      index += 1;
      pending = position < sizeBytes ? readAt(index, position) : undefined;
      if (!pending) await checkUnchanged(path, expected, sizeBytes);
      yield chunk;
    }
  } finally {
    await pending?.catch(() => undefined);
    await handle.close();
  }
}

function shrank(path: string, readBytes: number, sizeBytes: number): InvalidInputError {
  return new InvalidInputError(
    'FILE_CHANGED',
    `${path} shrank while it was being sent (${readBytes} of ${sizeBytes} bytes); a retry reopens it and sends the new version whole`,
    { path, isRetryable: true },
  );
}

/** A file system failure as the caller's input error, naming the path. @internal */
export function fileInputError(error: unknown, path: string): InvalidInputError {
  if (InvalidInputError.isInstance(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new InvalidInputError('FILE_NOT_FOUND', `No such file: ${path}`, { cause: error, path });
  }
  if (code === 'EISDIR')
    return new InvalidInputError('NOT_A_FILE', `Not a file: ${path}`, { cause: error, path });
  if (code === 'EACCES' || code === 'EPERM') {
    return new InvalidInputError('FILE_NOT_READABLE', `Permission denied reading ${path}`, {
      cause: error,
      path,
    });
  }
  return new InvalidInputError('FILE_READ_FAILED', `Could not read ${path}: ${(error as Error)?.message}`, {
    cause: error,
    path,
  });
}
