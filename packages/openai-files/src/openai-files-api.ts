import { z } from 'zod';

/**
 * The wire shapes of the OpenAI-compatible Files API (seed 003, "響應參數"; spec openai-files.md, "Endpoints").
 * Field names are as on the wire. Response schemas are lenient: unknown fields are kept, `status_details` may be
 * absent or null (the retrieve sample of seed 003 leaves it out), and purposes and statuses the documentation does
 * not list yet are kept as strings.
 */

/** The purposes a file can have: `file-extract` and `batch` for uploads, `batch_output` for Batch results (seed 003). */
export type FilePurpose = 'file-extract' | 'batch' | 'batch_output' | (string & {});

/** Where a file is in its processing: `processing` while parsed, then `processed` or `error` (spec openai-files.md). */
export type FileStatus = 'processing' | 'processed' | 'error' | (string & {});

/** A file object as the service returns it (seed 003, "通用響應參數"). */
export const fileObjectSchema = z
  .object({
    id: z.string().min(1),
    object: z.string().optional(),
    bytes: z.number().int().nonnegative(),
    created_at: z.number(),
    filename: z.string(),
    purpose: z.string(),
    status: z.string().optional(),
    status_details: z.unknown().nullish(),
  })
  .passthrough();

/** One page of `GET /files` (seed 003, "查詢檔案清單"). */
export const fileListSchema = z
  .object({
    object: z.string().optional(),
    data: z.array(fileObjectSchema),
    has_more: z.boolean().optional(),
  })
  .passthrough();

/** The answer of `DELETE /files/{file_id}`: `{"object":"file","deleted":true,"id":"…"}` (seed 003, "刪除檔案"). */
export const fileDeletedSchema = z
  .object({
    id: z.string(),
    object: z.string().optional(),
    deleted: z.boolean(),
  })
  .passthrough();

/**
 * A file object: what `upload`, `retrieve` and `list` return. Unknown fields the service adds are kept.
 * Source: seed 003, "通用響應參數".
 */
export interface FileObject {
  /** The file id: `file-fe-…` (file-extract), `file-batch-…` (batch), `file-batch_output-…` (Batch results). */
  readonly id: string;
  /** Always `file`. */
  readonly object?: string | undefined;
  /** Size in bytes. */
  readonly bytes: number;
  /** When the file was created, in Unix seconds. */
  readonly created_at: number;
  /** The file name as uploaded; the service infers the type from its extension. */
  readonly filename: string;
  /** What the file is for. */
  readonly purpose: FilePurpose;
  /** `processing` while the service parses it, then `processed` or `error`. */
  readonly status?: FileStatus | undefined;
  /** Why processing failed, when `status` is `error`; null or absent otherwise. */
  readonly status_details?: unknown;
  /** Fields the documentation does not list. */
  readonly [field: string]: unknown;
}

/** One page of the file list. */
export interface FileList {
  /** Always `list`. */
  readonly object?: string | undefined;
  /** The files of this page, newest first. */
  readonly data: FileObject[];
  /** Whether another page follows: pass the last id of `data` as `after` to get it. */
  readonly has_more?: boolean | undefined;
  /** Fields the documentation does not list. */
  readonly [field: string]: unknown;
}

/** What `delete` returns. */
export interface FileDeleted {
  /** The id of the deleted file. */
  readonly id: string;
  /** Always `file`. */
  readonly object?: string | undefined;
  /** True when the file was deleted. */
  readonly deleted: boolean;
  /** Fields the documentation does not list. */
  readonly [field: string]: unknown;
}
