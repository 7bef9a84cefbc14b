import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, lstat, mkdir, rename, rm } from 'node:fs/promises';
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
 * Streams a file's content to `path` through a temporary file beside it (same folder, so the same file system),
 * moved into place only once every byte arrived: `path` never holds a partial file, and a failure or an abort leaves
 * nothing behind. Without `overwrite`, an existing file is refused before anything is requested, and the move is a
 * hard link that fails rather than replace a file that appeared meanwhile.
 *
 * @returns The number of bytes written.
 * @internal
 */
export async function downloadFile(
  context: FilesContext,
  id: string,
  path: string,
  options: { signal?: AbortSignal | undefined; overwrite?: boolean | undefined },
): Promise<number> {
  const { signal, overwrite = false } = options;
  if (typeof path !== 'string' || path === '') {
    throw new InvalidInputError('INVALID_PATH', `download: expected a destination path, got ${typeof path}`);
  }
  filePath(id);
  if (!overwrite && (await exists(path))) throw fileExists(path);
  const body = await fileContent(context, id, signal);
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
  try {
    // The folder is made only once the service answered with the bytes (a refused download leaves nothing). Nothing
    // reads the body before the pipeline does: a 'data' listener would start the flow early and lose the first chunks.
    await mkdir(dirname(path), { recursive: true });
    const output = createWriteStream(temporary, { flags: 'wx' });
    await pipeline(body, output, signal ? { signal } : {});
    signal?.throwIfAborted();
    await moveIntoPlace(temporary, path, overwrite);
    return output.bytesWritten;
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
    throw writeFailed(path, error);
  }
}

function writeFailed(path: string, error: unknown): InvalidInputError {
  return new InvalidInputError(
    'DOWNLOAD_WRITE_FAILED',
    `Could not write ${path}: ${(error as Error).message}`,
    { cause: error, path },
  );
}

/**
 * Moves the complete temporary file to `path`. With `overwrite`, a rename (atomic, replacing). Without, a hard link
 * (atomic, failing with EEXIST when `path` exists) and the temporary name removed; where the file system has no hard
 * links, a rename after a last check.
 */
async function moveIntoPlace(temporary: string, path: string, overwrite: boolean): Promise<void> {
  if (overwrite) {
    await rename(temporary, path);
    return;
  }
  try {
    await link(temporary, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw fileExists(path);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error;
    if (await exists(path)) throw fileExists(path);
    await rename(temporary, path);
    return;
  }
  await rm(temporary, { force: true });
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function fileExists(path: string): InvalidInputError {
  return new InvalidInputError(
    'FILE_EXISTS',
    `${path} already exists; pass { overwrite: true } to replace it`,
    { path },
  );
}
