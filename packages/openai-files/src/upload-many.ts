import { checkOptions, InvalidInputError, type PoolResult, runPool, type UploadInput } from '@x/transport';
import type { FilesContext } from './files-context.js';
import type { FileObject } from './openai-files-api.js';
import { type UploadManyOptions, uploadManyOptionsSchema } from './openai-files-options.js';
import { uploadFile } from './upload-file.js';

/** One file of a batch upload with its own name. */
export interface UploadManyItem {
  /** The file: a path, a `file:` URL, a `Blob`/`File`, bytes, or `{ open | stream, sizeBytes }`. */
  file: UploadInput;
  /** The file name sent. @default the input's own name (required for bytes and streams) */
  fileName?: string;
}

/** The outcome of one file of `uploadMany`, in the shape of `Promise.allSettled` with the file's `index`. */
export type UploadManyResult = PoolResult<FileObject>;

/**
 * Uploads many files, `concurrency` at a time; every upload start goes through the limiter's `filesUpload` quota
 * (3 per second, seed 003 "限流"). One failure does not stop the others.
 *
 * @internal
 */
export async function uploadMany(
  context: FilesContext,
  files: readonly (UploadInput | UploadManyItem)[],
  options: UploadManyOptions,
): Promise<UploadManyResult[]> {
  const {
    purpose,
    concurrency = 3,
    checkBatchInput,
    signal,
    onProgress,
  } = checkOptions(uploadManyOptionsSchema, options, 'uploadMany');
  context.assertOpen();
  if (!Array.isArray(files))
    throw new InvalidInputError('INVALID_OPTIONS', 'uploadMany: files must be an array');
  return runPool(
    files,
    (entry, index, { signal: poolSignal }) => {
      const item = toItem(entry);
      return uploadFile(context, item.file, {
        purpose,
        ...(item.fileName === undefined ? {} : { fileName: item.fileName }),
        ...(checkBatchInput === undefined ? {} : { checkBatchInput }),
        ...(poolSignal ? { signal: poolSignal } : {}),
        ...(onProgress ? { onProgress: (progress) => onProgress({ ...progress, index }) } : {}),
      });
    },
    { concurrency, ...(signal ? { signal } : {}) },
  );
}

function toItem(entry: UploadInput | UploadManyItem): UploadManyItem {
  const isItem =
    typeof entry === 'object' &&
    entry !== null &&
    'file' in entry &&
    !(entry instanceof Uint8Array) &&
    !(entry instanceof URL) &&
    !(typeof Blob !== 'undefined' && entry instanceof Blob);
  return isItem ? (entry as UploadManyItem) : { file: entry as UploadInput };
}
