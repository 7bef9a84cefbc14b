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
 * A file id as the service documents it: `file-` and then letters, digits, `_`, `-`, `.` or `~` (specs/openai-files.md:
 * "Ids look like `file-fe-…` (file-extract) and `file-batch-…` (batch)"; seed 003's examples `file-fe-xxx`,
 * `file-batch-oLIon7bzfxELqJBTS5okwC4E`; Batch results are `file-batch_output-…`). Lenient on purpose: any suffix of
 * URL-safe characters passes, so a new kind of id does too, and nothing that could leave the path segment (`/`, `%`,
 * `?`, `#`, spaces) is ever sent.
 */
const fileIdPattern = /^file-[A-Za-z0-9._~-]{1,250}$/;

/**
 * The path of one file, its id checked against the documented form and escaped.
 * @throws `InvalidInputError` `INVALID_FILE_ID` naming the value, for an id not of the form `file-…` (see
 * `fileIdPattern`), before any request.
 * @internal
 */
export function filePath(id: unknown, suffix = ''): string {
  if (typeof id !== 'string' || !fileIdPattern.test(id)) {
    const shown =
      typeof id === 'string' ? JSON.stringify(id.length > 200 ? `${id.slice(0, 200)}…` : id) : typeof id;
    throw new InvalidInputError(
      'INVALID_FILE_ID',
      `Expected a file id such as "file-fe-…" or "file-batch-…" ("file-" and then letters, digits, "_", "-", "." or "~"), got ${shown}`,
    );
  }
  return `/files/${encodeURIComponent(id)}${suffix}`;
}
