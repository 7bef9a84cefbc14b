import type { CallRecord } from '../call-record.js';

/**
 * What the web console shows, as one JSON document the server pushes over Server-Sent Events. Plain data, no
 * imports but the call record, so the page's code can share these types.
 */
export interface ConsoleSnapshot {
  /** The emulated clock, milliseconds since the epoch. */
  readonly nowMs: number;
  /** The emulator's origin. */
  readonly url: string;
  /** Whether the quotas are enforced (`limits.isRateLimited`). */
  readonly isRateLimited: boolean;
  /** Calls answered so far, counting those no longer listed. */
  readonly totalCalls: number;
  /** The newest calls, oldest first. */
  readonly calls: readonly CallRecord[];
  /** Fault rules not yet used up, oldest first. */
  readonly faults: readonly ConsoleFault[];
  /** Every quota key used so far. */
  readonly quotas: readonly ConsoleQuota[];
  /** Temporary-storage objects, live and expired. */
  readonly objects: readonly ConsoleObject[];
  /** Files API files. */
  readonly files: readonly ConsoleFile[];
  /** Batch API batches, where the Files surface runs them. */
  readonly batches: readonly ConsoleBatch[];
  /** Knowledge-base documents, one per upload lease. */
  readonly documents: readonly ConsoleDocument[];
}

/** A pending fault rule. */
export interface ConsoleFault {
  /** Rule id. */
  readonly id: number;
  /** Route or prefix, or `*` for every route. */
  readonly route: string;
  /** The fault in words (`503`, `reset request`, `delay 500 ms`). */
  readonly fault: string;
  /** Uses left, or `always`. */
  readonly remaining: number | 'always';
}

/** One quota's use. */
export interface ConsoleQuota {
  /** Quota key (`files.upload:default`). */
  readonly key: string;
  /** Calls allowed per window. */
  readonly limit: number;
  /** Window in milliseconds. */
  readonly intervalMs: number;
  /** Calls in the window ending now. */
  readonly current: number;
  /** Most calls seen in one window. */
  readonly peak: number;
  /** Calls refused for the quota. */
  readonly rejected: number;
}

/** A temporary-storage object. */
export interface ConsoleObject {
  /** Object key; the URL is `oss://` + key. */
  readonly key: string;
  /** Model the upload policy was for. */
  readonly model: string | undefined;
  /** Account. */
  readonly account: string | undefined;
  /** Size in bytes. */
  readonly sizeBytes: number;
  /** Upload time (emulated). */
  readonly uploadedAtMs: number;
  /** Expiry (emulated). */
  readonly expiresAtMs: number;
  /** `live`, or `expired` once the clock passed `expiresAtMs`. */
  readonly state: 'live' | 'expired';
}

/** A Files API file. */
export interface ConsoleFile {
  /** `file-fe-…`, `file-batch-…`. */
  readonly id: string;
  /** File name. */
  readonly filename: string;
  /** `file-extract` or `batch`. */
  readonly purpose: string;
  /** `processing`, `processed`, `error`, or `deleted` once deleted. */
  readonly status: string;
  /** Why processing failed. */
  readonly statusDetails: string | null;
  /** Size in bytes. */
  readonly bytes: number;
  /** Upload time (emulated). */
  readonly createdAtMs: number;
  /** Account. */
  readonly account: string;
}

/** A Batch API batch. */
export interface ConsoleBatch {
  /** `batch_…`. */
  readonly id: string;
  /** Account. */
  readonly account: string;
  /** `validating`, `in_progress`, `finalizing`, `completed`, `failed`, `cancelling`, `cancelled`… */
  readonly status: string;
  /** Input file id. */
  readonly inputFileId: string;
  /** Output file id, once written. */
  readonly outputFileId: string | null;
  /** Error file id, when some requests failed. */
  readonly errorFileId: string | null;
}

/** A knowledge-base document: its lease, its upload, its AddFile and its parse. */
export interface ConsoleDocument {
  /** `FileUploadLeaseId`. */
  readonly leaseId: string;
  /** File name. */
  readonly fileName: string;
  /** Declared size. */
  readonly sizeBytes: number;
  /** Account. */
  readonly account: string;
  /** Object key of the pre-signed PUT. */
  readonly objectKey: string;
  /** Lease granted (emulated). */
  readonly leasedAtMs: number;
  /** `waiting`, `uploaded`, or `different bytes` when the stored MD5 or size is not the declared one. */
  readonly upload: 'waiting' | 'uploaded' | 'different bytes';
  /** `FileId` once AddFile used the lease. */
  readonly fileId: string | undefined;
  /** Parse status now (`INIT` … `PARSE_SUCCESS` / `PARSE_FAILED`), `DELETED`, or `undefined` before AddFile. */
  readonly parseStatus: string | undefined;
  /** Index jobs that take the document (`JobId`s), where the Bailian surface runs them. */
  readonly indexJobIds: readonly string[];
}
