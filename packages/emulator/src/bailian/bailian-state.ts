import type { BailianIndex, BailianIndexJob } from './index-actions.js';

/** Category types of the data center. */
export type BailianCategoryType = 'UNSTRUCTURED' | 'SESSION_FILE';

/**
 * States DescribeFile reports (spec §3.4). An UNSTRUCTURED file goes `INIT` -> `IN_PARSE_QUEUE` -> `PARSING` ->
 * `PARSE_SUCCESS` | `PARSE_FAILED`. A SESSION_FILE goes through its own states (never `PARSE_SUCCESS`): `INIT` ->
 * `SAFE_CHECKING` -> `SAFE_CHECK_FAILED` (content that fails the safety check: a `safeCheckFailed` fault on AddFile),
 * or `INDEX_BUILDING` -> `INDEX_BUILDING_FAILED` (content that cannot be parsed), or `INDEX_BUILD_SUCCESS` ->
 * `FILE_IS_READY`; at the end of its life its index is deleted (`INDEX_DELETED`), then it is `FILE_EXPIRED`.
 */
export type BailianFileStatus =
  | 'INIT'
  | 'IN_PARSE_QUEUE'
  | 'PARSING'
  | 'PARSE_SUCCESS'
  | 'PARSE_FAILED'
  | 'SAFE_CHECKING'
  | 'SAFE_CHECK_FAILED'
  | 'INDEX_BUILDING'
  | 'INDEX_BUILD_SUCCESS'
  | 'INDEX_BUILDING_FAILED'
  | 'INDEX_DELETED'
  | 'FILE_IS_READY'
  | 'FILE_EXPIRED';

/** An upload lease granted by ApplyFileUploadLease. */
export interface BailianLease {
  /** `FileUploadLeaseId`: 32 hex + `.` + epoch ms. */
  readonly leaseId: string;
  /** Account that applied for it. */
  readonly accountName: string;
  /** Workspace of the request path. */
  readonly workspaceId: string;
  /** Category the lease was applied under (resolved: never `default`). */
  readonly categoryId: string;
  /** Category type declared in the lease. */
  readonly categoryType: BailianCategoryType;
  /** File name with extension. */
  readonly fileName: string;
  /** Declared MD5, lowercase hex. */
  readonly md5: string;
  /** Declared size. */
  readonly sizeBytes: number;
  /** Object key the pre-signed URL writes. */
  readonly objectKey: string;
  /** The pre-signed PUT URL. */
  readonly url: string;
  /** Headers the PUT must carry. */
  readonly headers: { readonly 'X-bailian-extra': string; readonly 'Content-Type': string };
  /** When the lease was granted (emulated epoch ms). */
  readonly createdAtMs: number;
  /** When the pre-signed URL stops working (emulated epoch ms). */
  readonly urlExpiresAtMs: number;
  /** Set once AddFile used the lease. */
  consumedAtMs?: number;
}

/** An object uploaded through a lease's pre-signed URL. */
export interface BailianObject {
  /** Object key. */
  readonly key: string;
  /** Where the body is on disk. */
  readonly path: string;
  /** MD5 of the stored bytes, lowercase hex. */
  readonly md5: string;
  /** Stored size. */
  readonly sizeBytes: number;
  /** `Content-Type` the PUT carried. */
  readonly contentType: string;
  /** When the upload finished (emulated epoch ms). */
  readonly uploadedAtMs: number;
  /** Why the document cannot be parsed, when it cannot. */
  readonly parseErrorMessage?: string;
}

/** A file of the data center, created by AddFile. */
export interface BailianFile {
  /** `file_<32 hex>_<digits>`. */
  readonly fileId: string;
  /** Owner account. */
  readonly accountName: string;
  /** Workspace. */
  readonly workspaceId: string;
  /** Category (resolved). */
  readonly categoryId: string;
  /** Category type. */
  readonly categoryType: BailianCategoryType;
  /** File name with extension. */
  readonly fileName: string;
  /** Extension without the dot, lower case. */
  readonly fileType: string;
  /** Parser asked for. */
  readonly parser: string;
  /** Size in bytes. */
  readonly sizeBytes: number;
  /** Tags; UpdateFileTag replaces them. */
  tags: readonly string[];
  /** `OriginalFileUrl`, when given. */
  readonly originalFileUrl?: string;
  /** Creation time (emulated epoch ms); the parse schedule counts from here. */
  readonly createdAtMs: number;
  /** Set when parsing will fail, with the message DescribeFile reports. */
  readonly parseErrorMessage?: string;
  /** Set when the content safety check will fail (a `safeCheckFailed` fault on AddFile), with its message. */
  readonly safeCheckFailure?: string;
  /** Order of creation, for listing and page tokens. */
  readonly sequence: number;
}

/** A data-center category. */
export interface BailianCategory {
  /** `cate_<32 hex>_<digits>` (or the account's configured default ID). */
  readonly categoryId: string;
  /** Display name. */
  readonly categoryName: string;
  /** Category type. */
  readonly categoryType: BailianCategoryType;
  /** Workspace. */
  readonly workspaceId: string;
  /** Parent category, when nested. */
  readonly parentCategoryId?: string;
  /** The workspace's default category (addressable as `default`). */
  readonly isDefault: boolean;
  /** Order of creation, for listing and page tokens. */
  readonly sequence: number;
}

/** Temporary STS credentials minted for an account. */
export interface BailianStsCredential {
  /** `STS.`-prefixed AccessKey ID. */
  readonly accessKeyId: string;
  /** Temporary secret. */
  readonly accessKeySecret: string;
  /** Security token to send as `x-acs-security-token`. */
  readonly securityToken: string;
  /** Account the credentials act for. */
  readonly accountName: string;
  /** When they stop working (emulated epoch ms). */
  readonly expiresAtMs: number;
}

/** Options of {@link BailianState.mintStsCredentials}. */
export interface MintStsCredentialsOptions {
  /**
   * Account the credentials act for.
   * @default the first account (the emulator's default one)
   */
  readonly accountName?: string;
  /**
   * Lifetime on the emulated clock.
   * @default 3600000 (1 hour)
   */
  readonly durationMs?: number;
}

/**
 * Everything the Bailian surface holds, for tests to inspect (`emulator.state.bailian`), plus an STS token vending
 * machine and the parse state of a file now.
 */
export interface BailianState {
  /** Leases by `FileUploadLeaseId`. */
  readonly leases: Map<string, BailianLease>;
  /** Uploaded objects by key. */
  readonly objects: Map<string, BailianObject>;
  /** Files by `FileId` (deleted files are removed). */
  readonly files: Map<string, BailianFile>;
  /** Categories by `CategoryId`. */
  readonly categories: Map<string, BailianCategory>;
  /** Temporary credentials by AccessKey ID. */
  readonly stsCredentials: Map<string, BailianStsCredential>;
  /** Knowledge-base indices by `IndexId` (deleted indices are removed). */
  readonly indices: Map<string, BailianIndex>;
  /** Index jobs by `JobId`. */
  readonly indexJobs: Map<string, BailianIndexJob>;
  /**
   * Mints temporary credentials (`STS.` AccessKey ID, secret, security token) for an account, as AssumeRole would.
   * Requests signed with them must send `x-acs-security-token`; they stop working at `expiresAtMs`.
   * @throws Error when the account does not exist.
   */
  mintStsCredentials(options?: MintStsCredentialsOptions): BailianStsCredential;
  /** The parse state of a file now, or `undefined` when there is no such file. */
  fileStatus(fileId: string): BailianFileStatus | undefined;
}

/** When a file moves to each parse state, counted from AddFile on the emulated clock. */
export interface BailianParseSchedule {
  /**
   * Delay before `INIT` becomes `IN_PARSE_QUEUE`.
   * @default 500
   */
  readonly queuedAfterMs?: number;
  /**
   * Delay before `IN_PARSE_QUEUE` becomes `PARSING`.
   * @default 1000
   */
  readonly parsingAfterMs?: number;
  /**
   * Delay before `PARSING` becomes `PARSE_SUCCESS`, or `PARSE_FAILED` for a file the parser cannot read (or that
   * fails the safety check). A SESSION_FILE is `FILE_IS_READY` (or `INDEX_BUILDING_FAILED`) from then on.
   * @default 2000
   */
  readonly doneAfterMs?: number;
  /**
   * SESSION_FILE only: delay before `INDEX_BUILDING` becomes `INDEX_BUILD_SUCCESS`, which becomes `FILE_IS_READY` at
   * `doneAfterMs`. Kept between `parsingAfterMs` and `doneAfterMs`.
   * @default 1500
   */
  readonly indexBuiltAfterMs?: number;
  /**
   * How long a SESSION_FILE lives (spec §9: files expire with the session, at most 7 days). Then its index is deleted
   * (`INDEX_DELETED`, only for a file whose index was built) and, `indexDeletedForMs` later, it is `FILE_EXPIRED`.
   * @default 604800000 (7 days)
   */
  readonly sessionFileTtlMs?: number;
  /**
   * SESSION_FILE only: how long a file whose index was deleted at the end of its life reports `INDEX_DELETED` before
   * `FILE_EXPIRED`.
   * @default 1000
   */
  readonly indexDeletedForMs?: number;
}

/** `ParseErrorMessage` of a document that failed the content safety check, unless the fault gives its own. */
export const SAFE_CHECK_FAILED_MESSAGE = 'The document failed the content safety check.';

/**
 * The parse state of a file at `nowMs` under a schedule.
 *
 * @example
 * ```ts
 * fileStatus(file, clock.now(), { doneAfterMs: 0 }) // 'PARSE_SUCCESS' once the file exists, if it parses
 * ```
 */
export function fileStatus(
  file: BailianFile,
  nowMs: number,
  schedule: BailianParseSchedule = {},
): BailianFileStatus {
  const elapsedMs = nowMs - file.createdAtMs;
  const doneAfterMs = schedule.doneAfterMs ?? 2000;
  const parsingAfterMs = Math.min(schedule.parsingAfterMs ?? 1000, doneAfterMs);
  const queuedAfterMs = Math.min(schedule.queuedAfterMs ?? 500, parsingAfterMs);
  const isSafe = file.safeCheckFailure === undefined;
  const isParsable = file.parseErrorMessage === undefined;
  if (file.categoryType === 'SESSION_FILE') {
    const ttlMs = schedule.sessionFileTtlMs ?? 7 * 24 * 3600 * 1000;
    const indexBuiltAfterMs = Math.min(
      Math.max(schedule.indexBuiltAfterMs ?? 1500, parsingAfterMs),
      doneAfterMs,
    );
    if (elapsedMs >= ttlMs) {
      const hadIndex = isSafe && isParsable && ttlMs >= indexBuiltAfterMs;
      return hadIndex && elapsedMs < ttlMs + (schedule.indexDeletedForMs ?? 1000)
        ? 'INDEX_DELETED'
        : 'FILE_EXPIRED';
    }
    if (elapsedMs < queuedAfterMs) return 'INIT';
    if (elapsedMs < parsingAfterMs) return 'SAFE_CHECKING';
    if (!isSafe) return 'SAFE_CHECK_FAILED';
    if (!isParsable) return elapsedMs >= doneAfterMs ? 'INDEX_BUILDING_FAILED' : 'INDEX_BUILDING';
    if (elapsedMs >= doneAfterMs) return 'FILE_IS_READY';
    return elapsedMs >= indexBuiltAfterMs ? 'INDEX_BUILD_SUCCESS' : 'INDEX_BUILDING';
  }
  if (elapsedMs >= doneAfterMs) return isSafe && isParsable ? 'PARSE_SUCCESS' : 'PARSE_FAILED';
  if (elapsedMs >= parsingAfterMs) return 'PARSING';
  if (elapsedMs >= queuedAfterMs) return 'IN_PARSE_QUEUE';
  return 'INIT';
}
