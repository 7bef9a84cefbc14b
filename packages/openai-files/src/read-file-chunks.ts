import { open } from 'node:fs/promises';
import { InvalidInputError } from '@x/transport';

const chunkBytes = 1 << 20;

/**
 * Reads a file in chunks of at most 1 MiB into two buffers used in turn (one, of the file's own size, for a file that
 * fits in one read), the next read running while the consumer works on the
 * current chunk. For consumers that are done with a chunk once they ask for the next one (the Batch input check
 * copies the unfinished line it keeps): a read of a large file then allocates nothing per chunk, so memory stays
 * flat without waiting for the garbage collector.
 *
 * @throws `InvalidInputError` `FILE_CHANGED` when the file is shorter than `sizeBytes`, `FILE_READ_FAILED` when a
 * read fails.
 * @internal
 */
export async function* readFileChunks(path: string, sizeBytes: number): AsyncGenerator<Uint8Array> {
  if (sizeBytes === 0) return;
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw new InvalidInputError('FILE_READ_FAILED', `Could not open ${path}`, { cause: error, path });
  });
  const readBytes = Math.min(chunkBytes, sizeBytes);
  const buffers = Array.from({ length: sizeBytes > readBytes ? 2 : 1 }, () =>
    Buffer.allocUnsafeSlow(readBytes),
  );
  // A buffer is reused only in turn with a second one; a file read short of its one buffer reads the rest afresh.
  const bufferFor = (index: number, length: number) =>
    index < buffers.length || buffers.length === 2
      ? buffers[index % buffers.length]!
      : Buffer.allocUnsafeSlow(length);
  const readAt = (index: number, position: number) => {
    const length = Math.min(readBytes, sizeBytes - position);
    return handle.read(bufferFor(index, length), 0, length, position);
  };
  let position = 0;
  let index = 0;
  let pending: ReturnType<typeof readAt> | undefined = readAt(0, 0);
  try {
    while (pending) {
      const { bytesRead, buffer } = await pending.catch((error: unknown) => {
        throw new InvalidInputError('FILE_READ_FAILED', `Could not read ${path}`, { cause: error, path });
      });
      pending = undefined;
      if (bytesRead === 0) {
        throw new InvalidInputError(
          'FILE_CHANGED',
          `${path} shrank while it was being read (${position} of ${sizeBytes} bytes)`,
          { path },
        );
      }
      const chunk = buffer.subarray(0, bytesRead);
      position += bytesRead;
      index += 1;
      if (position < sizeBytes) pending = readAt(index, position);
      yield chunk;
    }
  } finally {
    await pending?.catch(() => undefined);
    await handle.close();
  }
}
