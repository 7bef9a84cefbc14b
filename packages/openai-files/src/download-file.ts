import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidInputError, NetworkError, TransportError } from '@x/transport';
import { type FilesContext, filePath } from './files-context.js';

/**
 * `GET /files/{file_id}/content`: the file's bytes as a stream, not read yet. The caller reads or destroys it.
 * @internal
 */
export async function fileContent(
  context: FilesContext,
  id: string,
  signal: AbortSignal | undefined,
): Promise<Readable> {
  context.assertOpen();
  const response = await context.send<Readable>({
    method: 'GET',
    path: filePath(id, '/content'),
    operation: 'RetrieveFileContent',
    limitKey: context.limitKey('files'),
    responseType: 'stream',
    signal,
  });
  return response.body;
}

/**
 * Streams a file's content to `path` through a temporary file beside it, renamed into place only once every byte
 * arrived: `path` never holds a partial file.
 *
 * @returns The number of bytes written.
 * @internal
 */
export async function downloadFile(
  context: FilesContext,
  id: string,
  path: string,
  signal: AbortSignal | undefined,
): Promise<number> {
  if (typeof path !== 'string' || path === '') {
    throw new InvalidInputError('INVALID_PATH', `download: expected a destination path, got ${typeof path}`);
  }
  const body = await fileContent(context, id, signal);
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
  let sizeBytes = 0;
  body.on('data', (chunk: Buffer) => {
    sizeBytes += chunk.byteLength;
  });
  try {
    await mkdir(dirname(path), { recursive: true });
    await pipeline(body, createWriteStream(temporary, { flags: 'wx' }), signal ? { signal } : {});
    await rename(temporary, path);
    return sizeBytes;
  } catch (error) {
    body.destroy();
    await rm(temporary, { force: true });
    if (signal?.aborted) throw signal.reason;
    if (TransportError.isInstance(error)) throw error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code?.startsWith('UND_ERR') || code === 'ECONNRESET' || code === 'EPIPE') {
      throw new NetworkError(`GET ${filePath(id, '/content')}: the download broke off (${code})`, {
        cause: error,
        operation: 'RetrieveFileContent',
      });
    }
    throw new InvalidInputError(
      'DOWNLOAD_WRITE_FAILED',
      `Could not write ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
