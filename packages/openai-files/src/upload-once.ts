import { setTimeout as delay } from 'node:timers/promises';
import { HttpStatusError, TransportError } from '@x/transport';
import type { FilesContext } from './files-context.js';
import { listEvery } from './list-files.js';
import type { FileObject } from './openai-files-api.js';
import type { UploadOptions } from './openai-files-options.js';

/** Uploads whose outcome stayed unknown, looked up in vain and sent again, at the most. */
const maxResends = 3;

/**
 * How far before the first attempt a stored copy may say it was created and still count as this upload's: the
 * service stamps `created_at` in whole seconds on its own clock.
 */
const clockSlackMs = 60_000;

/** The ids each client's uploads have returned, so a lookup never hands one file to two uploads. */
const claimedIds = new WeakMap<FilesContext, Set<string>>();

/** What identifies one upload in a listing. @internal */
export interface UploadIdentity {
  readonly fileName: string;
  readonly sizeBytes: number;
  readonly purpose: UploadOptions['purpose'];
  /** Whether the body can be sent again (a path, bytes, a `Blob`, `open()`); a bare stream is sent once. */
  readonly isReopenable: boolean;
  readonly signal: AbortSignal | undefined;
}

/**
 * Sends an upload so that the service keeps it once. `POST /files` is not idempotent: a file whose answer is lost
 * (the connection reset or timed out after the whole body was sent, or a 5xx) may be stored all the same. Such an
 * upload is not sent again blindly: the files of its purpose created since the first attempt are listed, and a file
 * of the same name and size that no other upload of this client returned is this upload's. Only when none is found
 * is the body reopened and sent again (at most 3 times, 250 ms, 500 ms, 1 s apart). A throttled upload (429) did
 * nothing and is retried by the transport; a bare stream is never sent twice.
 *
 * Left to chance: an upload that lands after its lookup found nothing, and a file of the same name and size that
 * another process uploads in the same minute.
 * @internal
 */
export async function uploadOnce(
  context: FilesContext,
  send: () => Promise<FileObject>,
  upload: UploadIdentity,
): Promise<FileObject> {
  const claimed = claimedIds.get(context) ?? new Set<string>();
  claimedIds.set(context, claimed);
  const firstAttemptAtMs = Date.now();
  for (let resends = 0; ; resends += 1) {
    try {
      const file = await send();
      claimed.add(file.id);
      return file;
    } catch (error) {
      if (upload.signal?.aborted) throw upload.signal.reason;
      if (!upload.isReopenable || resends >= maxResends || !isUndecided(error)) throw error;
      const found = await findUpload(context, upload, firstAttemptAtMs, claimed);
      if (found) {
        claimed.add(found.id);
        return found;
      }
      await delay(250 * 2 ** resends, undefined, { signal: upload.signal });
    }
  }
}

/** A failure after which the service may have stored the file: delivery unknown, or a 5xx. */
function isUndecided(error: unknown): boolean {
  if (HttpStatusError.isInstance(error)) return error.status >= 500;
  return TransportError.isInstance(error) && error.delivery === 'unknown';
}

async function findUpload(
  context: FilesContext,
  upload: UploadIdentity,
  sinceMs: number,
  claimed: ReadonlySet<string>,
): Promise<FileObject | undefined> {
  const earliestMs = sinceMs - clockSlackMs;
  const filters = {
    purpose: upload.purpose,
    createdAfter: new Date(earliestMs),
    ...(upload.signal && { signal: upload.signal }),
  };
  for await (const file of listEvery(context, filters)) {
    if (
      file.filename === upload.fileName &&
      file.bytes === upload.sizeBytes &&
      file.created_at * 1000 >= earliestMs &&
      !claimed.has(file.id)
    )
      return file;
  }
  return undefined;
}
