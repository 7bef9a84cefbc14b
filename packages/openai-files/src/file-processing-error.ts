import { TransportError } from '@x/transport';
import type { FileObject } from './openai-files-api.js';

/**
 * The service could not process a file: its status became `error` (spec openai-files.md, "File object"). Carries the
 * service's `status_details`. Code `FILE_PROCESSING_FAILED`; not retryable (upload a readable file instead).
 *
 * @example
 * ```ts
 * try { await files.waitUntilProcessed(file.id) } catch (error) {
 *   if (FileProcessingError.isInstance(error)) console.error(error.statusDetails)
 * }
 * ```
 */
export class FileProcessingError extends TransportError {
  /** The file's id. */
  readonly fileId: string;
  /** What the service said about the failure (`status_details`), as it sent it. */
  readonly statusDetails: unknown;
  /** The file object as last retrieved. */
  readonly file: FileObject;

  constructor(file: FileObject) {
    const details =
      typeof file.status_details === 'string'
        ? file.status_details
        : JSON.stringify(file.status_details ?? null);
    super('FILE_PROCESSING_FAILED', `File ${file.id} (${file.filename}) could not be processed: ${details}`, {
      operation: 'RetrieveFile',
    });
    this.name = 'FileProcessingError';
    this.fileId = file.id;
    this.statusDetails = file.status_details ?? null;
    this.file = file;
  }

  /** True for a `FileProcessingError` from any copy of this package. */
  static override isInstance(value: unknown): value is FileProcessingError {
    return TransportError.isInstance(value) && value.code === 'FILE_PROCESSING_FAILED';
  }

  protected override details(): Record<string, unknown> {
    return { fileId: this.fileId, statusDetails: this.statusDetails };
  }
}
