import { type FileHandle, open } from 'node:fs/promises';
import { InvalidInputError } from '@x/transport';

/** Size of each read: large reads keep uploads fast. */
export const fileChunkBytes = 1 << 20;

/**
 * Reads exactly `sizeBytes` of a file in 1 MiB chunks from two buffers used in turn, so a 1 GiB upload allocates
 * 2 MiB instead of a thousand buffers that wait for the garbage collector (which, on Node 24, let RSS grow by
 * more than 64 MiB).
 *
 * Reusing a buffer is safe because of how the consumer pulls: an HTTP/1.1 socket write of a chunk larger than the
 * socket's high-water mark (16 KiB) returns `false`, and undici asks for the next chunk only after `drain`, when
 * the socket has handed the whole chunk to the kernel. So when chunk N is asked for, chunk N-1 is gone, and its
 * buffer can take chunk N+1 while chunk N is being sent. A short read (smaller than a full chunk) is yielded as a
 * copy, since a small write may return `true` while still queued.
 *
 * @throws `InvalidInputError` `FILE_CHANGED` when the file ends early; fs errors as `FILE_READ_FAILED`.
 */
export async function* readFileChunks(path: string, sizeBytes: number): AsyncGenerator<Uint8Array> {
  if (sizeBytes === 0) return;
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw readError(path, error);
  }
  const buffers = [Buffer.allocUnsafe(fileChunkBytes), Buffer.allocUnsafe(fileChunkBytes)] as const;
  let index = 0;
  let position = 0;
  let pending = read(handle, buffers[0], position, sizeBytes);
  try {
    while (position < sizeBytes) {
      const bytesRead = await pending;
      if (bytesRead === 0) {
        throw new InvalidInputError(
          'FILE_CHANGED',
          `${path} shrank while it was being sent (${position} of ${sizeBytes} bytes)`,
        );
      }
      const current = buffers[index]!;
      position += bytesRead;
      index ^= 1;
      // The other buffer held the chunk before this one, which the consumer has released by asking for this one.
      pending =
        position < sizeBytes ? read(handle, buffers[index]!, position, sizeBytes) : Promise.resolve(0);
      yield bytesRead === fileChunkBytes ? current : Buffer.from(current.subarray(0, bytesRead));
    }
  } catch (error) {
    throw readError(path, error);
  } finally {
    // A consumer that stops early (an abort) may leave a read in flight: let it finish before closing.
    await pending.catch(() => 0);
    await handle.close().catch(() => undefined);
  }
}

async function read(
  handle: FileHandle,
  buffer: Buffer,
  position: number,
  sizeBytes: number,
): Promise<number> {
  const length = Math.min(buffer.byteLength, sizeBytes - position);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return bytesRead;
}

function readError(path: string, error: unknown): InvalidInputError {
  if (InvalidInputError.isInstance(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT')
    return new InvalidInputError('FILE_NOT_FOUND', `No such file: ${path}`, { cause: error });
  return new InvalidInputError('FILE_READ_FAILED', `Could not read ${path}`, { cause: error });
}
