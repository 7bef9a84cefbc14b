import { InvalidInputError, type RequestOptions, type Transport, type TransportResponse } from '@x/transport';
import { withHint } from './files-error-hint.js';
import type { FilesLimits } from './openai-files-options.js';

/** What every operation of a files client shares. @internal */
export interface FilesContext {
  /** The transport, with the compatible-mode base URL. */
  readonly transport: Transport;
  /** The size limits checked before an upload. */
  readonly limits: Required<FilesLimits>;
  /** The limiter key of a quota: `filesUpload:<account>` or `files:<account>`. */
  limitKey(quota: 'filesUpload' | 'files'): string;
  /** Throws `CLIENT_CLOSED` once the client was closed. */
  assertOpen(): void;
  /** Sends a request; HTTP errors get the service's documented hint. */
  send<T>(request: RequestOptions<T>): Promise<TransportResponse<T>>;
}

/** The transport's `request` with hints added to its errors. @internal */
export async function sendWithHint<T>(
  transport: Transport,
  request: RequestOptions<T>,
): Promise<TransportResponse<T>> {
  try {
    return await transport.request(request);
  } catch (error) {
    if (request.signal?.aborted) throw request.signal.reason;
    throw withHint(error);
  }
}

/**
 * The path of one file, its id checked and escaped.
 * @throws `InvalidInputError` `INVALID_FILE_ID` for an empty or non-string id.
 * @internal
 */
export function filePath(id: unknown, suffix = ''): string {
  if (typeof id !== 'string' || id.trim() === '') {
    throw new InvalidInputError(
      'INVALID_FILE_ID',
      `Expected a file id such as "file-fe-…", got ${typeof id === 'string' ? JSON.stringify(id) : typeof id}`,
    );
  }
  return `/files/${encodeURIComponent(id)}${suffix}`;
}
