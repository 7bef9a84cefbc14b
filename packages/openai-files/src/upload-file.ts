import { open } from 'node:fs/promises';
import {
  type ByteStream,
  checkOptions,
  formatSizeOverLimit,
  guessContentType,
  InvalidInputError,
  multipartBody,
  type RequestBody,
  resolveUploadSource,
  type UploadInput,
  type UploadSource,
  type UploadStreamSource,
} from '@x/transport';
import type { ZodType } from 'zod';
import { checkBatchInput } from './check-batch-input.js';
import { checkFileName, checkFileType, fileHeadBytes } from './check-file-type.js';
import type { FilesContext } from './files-context.js';
import { type FileObject, fileObjectSchema } from './openai-files-api.js';
import { type UploadOptions, uploadOptionsSchema } from './openai-files-options.js';
import { readFileChunks } from './read-file-chunks.js';
import { uploadOnce } from './upload-once.js';

/**
 * `POST /files` (seed 003, "上傳檔案"): checks the purpose, size, type and (for `batch`) every line before a byte is
 * sent, then streams a multipart form (`purpose` first, the file last, exact `content-length`). A throttled
 * attempt (429) is retried by reopening the source; after one whose outcome is unknown (a 5xx, a connection dropped
 * or timed out after sending) the file is looked up first and sent again only when not found (`uploadOnce`); a bare
 * stream is sent once.
 *
 * @internal
 */
export async function uploadFile(
  context: FilesContext,
  input: UploadInput,
  options: UploadOptions,
): Promise<FileObject> {
  const {
    purpose,
    fileName: givenName,
    checkBatchInput: shouldCheckBatch = true,
    signal,
    onProgress,
  } = checkOptions(uploadOptionsSchema, options, 'upload');
  context.assertOpen();
  signal?.throwIfAborted();
  const peeked = purpose === 'file-extract' ? await peekOneShot(input) : undefined;
  const source = await resolveUploadSource(peeked?.input ?? input, { signal });
  const fileName = givenName ?? source.fileName;
  if (fileName === undefined) {
    throw new InvalidInputError(
      'FILE_NAME_REQUIRED',
      // Source: spec openai-files.md.
      'upload: pass fileName for bytes and streams: the service infers the type from the extension',
    );
  }
  const path = source.path;
  checkFileName(fileName, purpose);
  const maxBytes = purpose === 'batch' ? context.limits.batchMaxBytes : context.limits.fileExtractMaxBytes;
  if (source.sizeBytes > maxBytes) {
    // Source: seed 003.
    throw new InvalidInputError(
      'FILE_TOO_LARGE',
      `${fileName}: ${formatSizeOverLimit(source.sizeBytes, maxBytes, `the Files API (purpose ${purpose})`)}`,
      path === undefined ? {} : { path },
    );
  }
  if (source.sizeBytes === 0) {
    throw new InvalidInputError(
      'FILE_EMPTY',
      `${fileName}: the file is empty`,
      path === undefined ? {} : { path },
    );
  }
  if (purpose === 'file-extract') {
    const head = peeked?.head ?? (await readHead(source, signal));
    checkFileType(fileName, head, source.sizeBytes);
  } else if (shouldCheckBatch) {
    if (!source.isReopenable) {
      throw new InvalidInputError(
        'STREAM_NOT_REOPENABLE',
        `${fileName}: a batch file is checked before it is sent, which reads it twice; pass { open: () => stream, sizeBytes } or a path, or set checkBatchInput: false`,
      );
    }
    await checkBatchInput(
      () => (path === undefined ? source.open() : readFileChunks(path, source.sizeBytes)),
      {
        fileName,
        signal,
      },
    );
  }
  const form = multipartBody([
    { name: 'purpose', value: purpose },
    {
      name: 'file',
      file: source.part,
      fileName,
      contentType: source.contentType ?? guessContentType(fileName),
    },
  ]);
  const body = onceUnlessReopenable(form, source);
  const send = async () => {
    const response = await context.send({
      method: 'POST',
      path: '/files',
      body,
      // Not idempotent: a file whose answer is lost may be stored all the same, so uploadOnce looks it up before
      // sending it again. A 429 did nothing and is retried here.
      idempotent: false,
      retryThrottled: true,
      operation: 'UploadFile',
      limitKey: context.limitKey('filesUpload'),
      schema: fileObjectSchema as unknown as ZodType<FileObject>,
      signal,
      onProgress:
        onProgress &&
        (({ loadedBytes }) =>
          onProgress({ loadedBytes: Math.min(loadedBytes, source.sizeBytes), totalBytes: source.sizeBytes })),
    });
    return response.body;
  };
  return uploadOnce(context, send, {
    fileName,
    sizeBytes: source.sizeBytes,
    purpose,
    isReopenable: source.isReopenable,
    signal,
  });
}

/** The form, marked as sent-once when its file is a bare stream, so the transport never resends it. */
function onceUnlessReopenable(form: RequestBody, source: UploadSource): RequestBody {
  if (source.isReopenable) return form;
  return {
    contentType: form.contentType,
    isReopenable: false,
    get isConsumed() {
      return source.isConsumed;
    },
    open: (openOptions) => form.open(openOptions),
  };
}

/**
 * The first bytes of a reopenable source; the read stops there and the file is closed. A path is read with one
 * small read, not the 1 MiB first chunk of a streamed read.
 */
async function readHead(source: UploadSource, signal: AbortSignal | undefined): Promise<Uint8Array> {
  if (source.path !== undefined) {
    signal?.throwIfAborted();
    const path = source.path;
    const handle = await open(path, 'r').catch((error: unknown) => {
      throw new InvalidInputError('FILE_READ_FAILED', `Could not open ${path}`, { cause: error, path });
    });
    try {
      const head = Buffer.alloc(Math.min(fileHeadBytes, source.sizeBytes));
      const { bytesRead } = await handle.read(head, 0, head.byteLength, 0);
      return head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
  const chunks: Uint8Array[] = [];
  let sizeBytes = 0;
  for await (const chunk of source.open()) {
    signal?.throwIfAborted();
    chunks.push(Uint8Array.prototype.slice.call(chunk, 0, fileHeadBytes - sizeBytes));
    sizeBytes += Math.min(chunk.byteLength, fileHeadBytes - sizeBytes);
    if (sizeBytes >= fileHeadBytes) break;
  }
  return Buffer.concat(chunks, sizeBytes);
}

/**
 * For a bare, one-shot stream: reads its first bytes and hands back an input that yields them and then the rest,
 * so the type can be checked without losing what was read. Other inputs are left alone.
 */
async function peekOneShot(
  input: UploadInput,
): Promise<{ input: UploadInput; head: Uint8Array } | undefined> {
  if (typeof input !== 'object' || input === null || input instanceof URL || input instanceof Uint8Array)
    return undefined;
  if (typeof Blob !== 'undefined' && input instanceof Blob) return undefined;
  const { stream, open } = input as UploadStreamSource;
  if (typeof open === 'function' || stream === undefined || stream === null || typeof stream === 'function') {
    return undefined;
  }
  const iterator = (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const read: Uint8Array[] = [];
  let readBytes = 0;
  let isDone = false;
  while (readBytes < fileHeadBytes) {
    const next = await iterator.next();
    if (next.done) {
      isDone = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    read.push(chunk);
    readBytes += chunk.byteLength;
  }
  const head = Buffer.concat(read, readBytes).subarray(0, fileHeadBytes);
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* read;
    if (isDone) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const rest: ByteStream = replay();
  return { input: { ...(input as UploadStreamSource), stream: rest }, head };
}
