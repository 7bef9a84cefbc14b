import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type PoolResult, runPool } from '@x/transport';
import type { ClientContext } from './client-context.js';
import { type DocumentInput, resolveDocumentSource } from './document-source.js';
import type { DocumentProgress, UploadDocumentOptions } from './kb-lease-options.js';
import { type KnowledgeBaseDocument, uploadDocument } from './upload-document.js';
import { type ManifestEntry, openUploadManifest, type UploadManifest } from './upload-manifest.js';

/** One document of a batch, with options of its own. */
export interface UploadManyItem extends Omit<UploadDocumentOptions, 'signal' | 'onProgress'> {
  /** The document: a path, a `file:` URL or an `http(s)://` URL (or any upload input of `@x/transport`). */
  source: DocumentInput;
}

/** Progress of one document of a batch. */
export interface UploadManyProgress extends DocumentProgress {
  /** Position of the document in the batch. */
  readonly index: number;
}

/** Options of `uploadMany`: every `uploadDocument` option applies to each document, plus these. */
export interface UploadManyOptions
  extends Omit<UploadDocumentOptions, 'signal' | 'onProgress' | 'fileName' | 'md5'> {
  /**
   * How many documents are worked on at once; AddFile stays under its quota whatever the number (the limiter).
   * @default 4
   */
  concurrency?: number;
  /**
   * A JSON-lines file recording each document's state (source, size, mtime, md5, leaseId, fileId, status), appended
   * and fsynced at each change. A rerun with the same manifest skips documents already added with the same MD5 and
   * settles any AddFile a previous run left in flight, so nothing is lost and nothing is added twice.
   * @default undefined (no manifest)
   */
  manifest?: string;
  /** Stops the batch: documents not started are not started; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called as bytes of any document are handed to the socket. */
  onProgress?: (progress: UploadManyProgress) => void;
}

/** A document of a batch: added now, or found already added in the manifest (`skipped`). */
export interface UploadManyDocument extends KnowledgeBaseDocument {
  /** True when the manifest showed this document already added with the same MD5: nothing was sent. */
  readonly skipped: boolean;
}

/** The outcome of one document, in the shape of `Promise.allSettled` with its `index`. */
export type UploadManyResult = PoolResult<UploadManyDocument>;

/** Uploads many documents; see `KnowledgeBaseClient.uploadMany`. @internal */
export async function uploadMany(
  context: ClientContext,
  sources: readonly (DocumentInput | UploadManyItem)[],
  options: UploadManyOptions,
): Promise<UploadManyResult[]> {
  const { concurrency = 4, manifest: manifestPath, signal, onProgress, ...shared } = options;
  const manifest = manifestPath === undefined ? undefined : await openUploadManifest(manifestPath);
  try {
    return await runPool(
      sources,
      async (entry, index, { signal: poolSignal }) => {
        const item = toItem(entry);
        const { source, ...own } = item;
        const documentOptions: UploadDocumentOptions = {
          ...shared,
          ...own,
          signal: poolSignal,
          ...(onProgress ? { onProgress: (progress) => onProgress({ ...progress, index }) } : {}),
        };
        const key = manifestKey(source);
        if (!manifest || key === undefined) {
          return { ...(await uploadDocument(context, source, documentOptions)), skipped: false };
        }
        return uploadRecorded(context, manifest, key, source, documentOptions);
      },
      { concurrency, signal },
    );
  } finally {
    await manifest?.close();
  }
}

async function uploadRecorded(
  context: ClientContext,
  manifest: UploadManifest,
  key: string,
  source: DocumentInput,
  options: UploadDocumentOptions,
): Promise<UploadManyDocument> {
  const previous = manifest.previous.get(key);
  const local =
    typeof source === 'string' && !/^https?:\/\//i.test(source) ? await statOf(source) : undefined;
  const isUnchanged =
    previous?.md5 !== undefined &&
    local !== undefined &&
    previous.size === local.size &&
    previous.mtime === local.mtime;
  // The same bytes as last time (same size and mtime): the recorded MD5 stands, no second read.
  const md5 = options.md5 ?? (isUnchanged ? previous?.md5 : undefined);
  let record: Omit<ManifestEntry, 'status'> = {
    source: key,
    ...(local ? { size: local.size, mtime: local.mtime } : {}),
  };
  const write = (entry: Partial<ManifestEntry> & Pick<ManifestEntry, 'status'>) => {
    record = { ...record, ...entry };
    return manifest.append({ ...record, status: entry.status });
  };
  const hooks = {
    onMd5: (hex: string, sizeBytes: number) => {
      record = { ...record, md5: hex, size: sizeBytes };
    },
    onLeased: (leaseId: string) => write({ status: 'leased', leaseId }),
    onAdded: (fileId: string) => write({ status: 'added', fileId }),
    ...(previous?.status === 'leased' && previous.leaseId ? { resumeLeaseId: previous.leaseId } : {}),
  };
  try {
    if (previous?.fileId && (previous.status === 'added' || previous.status === 'parsed')) {
      const currentMd5 = md5 ?? (await currentMd5Of(source, options));
      if (currentMd5 === previous.md5) {
        const skipped: UploadManyDocument = {
          fileId: previous.fileId,
          fileName: options.fileName ?? basename(new URL(key, 'file:///').pathname),
          categoryId: options.categoryId ?? 'default',
          categoryType: options.categoryType ?? 'UNSTRUCTURED',
          sizeBytes: previous.size ?? 0,
          md5: previous.md5,
          parser: undefined,
          status: previous.status === 'parsed' ? 'PARSE_SUCCESS' : undefined,
          file: undefined,
          indexId: undefined,
          indexJobId: undefined,
          leases: 0,
          wasFoundByLookup: false,
          skipped: true,
        };
        context.claimedFileIds.add(previous.fileId);
        return skipped;
      }
    }
    const document = await uploadDocument(context, source, { ...options, ...(md5 ? { md5 } : {}) }, hooks);
    if (document.status === 'PARSE_SUCCESS' || document.status === 'FILE_IS_READY') {
      await write({ status: 'parsed', fileId: document.fileId });
    }
    return { ...document, skipped: false };
  } catch (error) {
    if (!options.signal?.aborted) {
      await write({
        status: 'failed',
        error: error instanceof Error ? error.message.slice(0, 300) : String(error),
      });
    }
    throw error;
  }
}

async function currentMd5Of(source: DocumentInput, options: UploadDocumentOptions): Promise<string> {
  const resolved = await resolveDocumentSource(source, { signal: options.signal });
  return resolved.md5(options.signal);
}

async function statOf(path: string): Promise<{ size: number; mtime: number } | undefined> {
  try {
    const stats = await stat(path);
    return { size: stats.size, mtime: stats.mtimeMs };
  } catch {
    return undefined;
  }
}

function manifestKey(source: DocumentInput): string | undefined {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.toString();
  return undefined;
}

function toItem(entry: DocumentInput | UploadManyItem): UploadManyItem {
  return typeof entry === 'object' &&
    entry !== null &&
    'source' in entry &&
    !(entry instanceof URL) &&
    !(entry instanceof Uint8Array) &&
    !(typeof Blob !== 'undefined' && entry instanceof Blob)
    ? (entry as UploadManyItem)
    : { source: entry as DocumentInput };
}
