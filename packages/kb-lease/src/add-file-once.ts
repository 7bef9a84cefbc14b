import { HttpStatusError, NetworkError, TransportError } from '@x/transport';
import type { ClientContext } from './client-context.js';
import { isThrottled } from './data-center-call.js';
import { fileStem } from './document-checks.js';
import { listFiles } from './file-calls.js';
import { addFileDataSchema, type FileData } from './kb-lease-api.js';
import { KnowledgeBaseError } from './knowledge-base-error.js';

/** The AddFile form, without `LeaseId`. @internal */
export type AddFileFields = Record<string, string | undefined>;

/** What one AddFile with one lease came to. @internal */
export type AddFileOutcome =
  | {
      readonly kind: 'added';
      readonly fileId: string;
      readonly parser: string | undefined;
      readonly wasFound: boolean;
    }
  | { readonly kind: 'not-added'; readonly reason: unknown };

/** Throttled AddFile calls retried with the same lease, beyond the transport's own retries. */
const throttledRounds = 5;

/** AddFile calls sent again with the same lease while their outcome stays unknown and the lookup finds nothing. */
const maxResends = 3;

/**
 * Calls AddFile with one lease, at most once in effect (spec §3.3, §10.6; the seed 000 "do not submit again" rule).
 * AddFile is not idempotent and the lease is single-use, so:
 * - a call that provably never reached the service (connection refused) or that the service throttled (a 429, or a
 *   `Throttling` code, also in a 200 with `Success: false`) is sent again (the transport does it; throttling that
 *   outlasts its retries is waited out here);
 * - a definite refusal (a 4xx, or `Success: false` with a parameter or permission code) is thrown;
 * - anything ambiguous (a reset, a timeout after sending, a 5xx, `Success: false` with another code, transient
 *   `InternalError` included: the transport never sends AddFile again for it) is settled by
 *   looking the document up: ListFile by name (without the extension), matched on the full name, size and a
 *   creation time not before the lease's; found means added.
 * - not found is not yet proof: a call that timed out may still land after the lookup. So AddFile is sent once more
 *   with the same lease (up to 3 times while the outcome stays unknown), which the service carries out at most once (spec §9 "the lease ID is consumed by AddFile",
 *   §10.6): it adds the document, or it is refused because the first call consumed the lease, and then a second
 *   lookup finds the document. Only a lease that was refused and whose document is still not found sends the
 *   caller back to start over with a new lease.
 *
 * @internal
 */
export async function addFileOnce(
  context: ClientContext,
  request: {
    leaseId: string;
    fields: AddFileFields;
    categoryId: string;
    fileName: string;
    sizeBytes: number;
    signal: AbortSignal | undefined;
  },
): Promise<AddFileOutcome> {
  const { leaseId, fields, signal } = request;
  // How often the lease was sent again after an ambiguous AddFile was looked up in vain.
  let resends = 0;
  for (let round = 0; ; round += 1) {
    try {
      const { data } = await context.call({
        action: 'AddFile',
        method: 'PUT',
        path: ['datacenter', 'file'],
        form: { ...fields, LeaseId: leaseId },
        data: addFileDataSchema,
        limitKey: context.limitKey('addFile'),
        idempotent: false,
        signal,
      });
      context.claimedFileIds.add(data.FileId);
      return { kind: 'added', fileId: data.FileId, parser: data.Parser ?? undefined, wasFound: false };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (isThrottled(error)) {
        if (round < throttledRounds) {
          context.logger.warn?.('AddFile throttled; sending again with the same lease', { leaseId, round });
          await sleep(retryAfterMs(error) ?? 1000 * 2 ** round, signal);
          continue;
        }
        return { kind: 'not-added', reason: error };
      }
      if (isDefiniteRefusal(error)) {
        if (resends === 0) throw error;
        // The lease sent again was refused: the first call consumed it after all (or the lease lapsed).
        const found = await lookUp(context, request, error);
        if (found) {
          context.claimedFileIds.add(found.FileId);
          return { kind: 'added', fileId: found.FileId, parser: found.Parser ?? undefined, wasFound: true };
        }
        return { kind: 'not-added', reason: error };
      }
      context.logger.warn?.('AddFile outcome unknown; looking the document up', {
        leaseId,
        fileName: request.fileName,
        code: TransportError.isInstance(error) ? error.code : undefined,
      });
      const found = await lookUp(context, request, error);
      if (found) {
        context.claimedFileIds.add(found.FileId);
        return { kind: 'added', fileId: found.FileId, parser: found.Parser ?? undefined, wasFound: true };
      }
      if (resends < maxResends) {
        resends += 1;
        context.logger.warn?.(
          'AddFile not found by lookup; sending it again with the same single-use lease',
          {
            leaseId,
            fileName: request.fileName,
            resends,
          },
        );
        continue;
      }
      return { kind: 'not-added', reason: error };
    }
  }
}

/** A refusal that says nothing was added and that a retry would not change. */
function isDefiniteRefusal(error: unknown): boolean {
  if (HttpStatusError.isInstance(error))
    return error.status >= 400 && error.status < 500 && error.status !== 408;
  if (KnowledgeBaseError.isInstance(error) && error.code === 'SERVICE_FAILURE') {
    return /InvalidParameter|Forbidden|NotFound|NoWorkspacePermissions|FileTooLarge|InvalidAccessKey|Signature|NotAuthorized/i.test(
      error.serviceCode ?? '',
    );
  }
  if (NetworkError.isInstance(error)) return false;
  return !TransportError.isInstance(error);
}

/** Looks up the file a lease may have added (a rerun after a crash), claiming it when found. @internal */
export async function findAdded(
  context: ClientContext,
  request: {
    leaseId: string;
    categoryId: string;
    fileName: string;
    sizeBytes: number;
    signal: AbortSignal | undefined;
  },
): Promise<FileData | undefined> {
  const found = await lookUp(context, request, undefined);
  if (found) context.claimedFileIds.add(found.FileId);
  return found;
}

async function lookUp(
  context: ClientContext,
  request: {
    leaseId: string;
    categoryId: string;
    fileName: string;
    sizeBytes: number;
    signal: AbortSignal | undefined;
  },
  original: unknown,
): Promise<FileData | undefined> {
  const leaseSecondMs = leaseIssuedAtMs(request.leaseId);
  const candidates: FileData[] = [];
  try {
    for await (const file of listFiles(context, {
      categoryId: request.categoryId,
      fileName: fileStem(request.fileName),
      maxResults: 200,
      signal: request.signal,
    })) {
      if (file.FileName !== request.fileName) continue;
      if (typeof file.SizeInBytes === 'number' && file.SizeInBytes !== request.sizeBytes) continue;
      if (context.claimedFileIds.has(file.FileId)) continue;
      const createdMs = parseCreateTime(file.CreateTime);
      if (leaseSecondMs !== undefined && createdMs !== undefined && createdMs < leaseSecondMs) continue;
      candidates.push(file);
    }
  } catch (error) {
    if (request.signal?.aborted) throw request.signal.reason;
    throw new KnowledgeBaseError(
      'ADD_FILE_UNCERTAIN',
      `AddFile of ${request.fileName} may or may not have succeeded, and ListFile could not tell: ${(error as Error).message}`,
      { cause: original },
    );
  }
  // The earliest unclaimed match created after the lease was issued is this lease's file.
  candidates.sort((a, b) => (parseCreateTime(a.CreateTime) ?? 0) - (parseCreateTime(b.CreateTime) ?? 0));
  return candidates[0];
}

/** The service's time at the lease, from `FileUploadLeaseId` = 32 hex + "." + epoch ms (spec §3.1), to the second. */
export function leaseIssuedAtMs(leaseId: string): number | undefined {
  const match = /\.(\d{12,14})$/.exec(leaseId);
  if (!match) return undefined;
  return Math.floor(Number(match[1]) / 1000) * 1000;
}

/** `CreateTime` is `yyyy-MM-dd HH:mm:ss` in UTC+8 (spec §3.4). @internal */
export function parseCreateTime(value: string | null | undefined): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value ?? '');
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return Date.UTC(year!, month! - 1, day!, hour!, minute!, second!) - 8 * 3_600_000;
}

function retryAfterMs(error: unknown): number | undefined {
  if (HttpStatusError.isInstance(error)) return error.retryAfterMs;
  if (TransportError.isInstance(error) && error.cause !== undefined) return retryAfterMs(error.cause);
  return undefined;
}

function sleep(delayMs: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
