import { z } from 'zod';

/**
 * The Bailian data API's wire: response schemas with the field names as on the wire (PascalCase), lenient where the
 * service varies (spec §2, §3, §10.4, §10.11): unknown fields are kept, `Success` may be `true` or `"true"`, numbers
 * may arrive as strings.
 */

/** `Success` as the service sends it: `true`, `"true"`, `false`, `"false"`, or absent (spec §3.3, §10.4). */
const successField = z.union([z.boolean(), z.string()]).nullish();

/** A number that may arrive as a string (`SizeInBytes`, `TotalCount`). */
const looseNumber = z.union([z.number(), z.string().transform((value) => Number(value))]).nullish();

/** The common envelope: `{RequestId, Success, Code, Message, Status, Data}` (spec §2). @internal */
export const envelopeSchema = z
  .object({
    RequestId: z.string().nullish(),
    requestId: z.string().nullish(),
    Success: successField,
    Code: z.string().nullish(),
    code: z.string().nullish(),
    Message: z.string().nullish(),
    message: z.string().nullish(),
    Status: z.union([z.string(), z.number()]).nullish(),
    Data: z.unknown().optional(),
  })
  .passthrough();

/** The envelope as parsed. @internal */
export type Envelope = z.infer<typeof envelopeSchema>;

const envelopes = new WeakMap<z.ZodType, z.ZodType>();

/**
 * An envelope whose `Data` is parsed by `data`, built once per data schema: zod compiles a schema on its first
 * parse, and a schema built per call would be compiled again for every response. @internal
 */
export function envelopeOf<T extends z.ZodType>(data: T) {
  const built = () => envelopeSchema.extend({ Data: data.nullish() });
  let envelope = envelopes.get(data) as ReturnType<typeof built> | undefined;
  if (envelope === undefined) {
    envelope = built();
    envelopes.set(data, envelope);
  }
  return envelope;
}

/** `Data` of ApplyFileUploadLease (spec §3.1): `Param.Headers` is `any` on the wire. */
export const leaseDataSchema = z
  .object({
    FileUploadLeaseId: z.string(),
    Type: z.string().nullish(),
    Param: z
      .object({
        Method: z.string(),
        Url: z.string(),
        Headers: z.unknown().optional(),
      })
      .passthrough(),
  })
  .passthrough();

/** `Data` of AddFile (spec §3.3). */
export const addFileDataSchema = z.object({ FileId: z.string(), Parser: z.string().nullish() }).passthrough();

/** One file as DescribeFile and ListFile describe it (spec §3.4, §3.5); unknown fields are kept. */
export const fileDataSchema = z
  .object({
    FileId: z.string(),
    FileName: z.string().nullish(),
    CategoryId: z.string().nullish(),
    CreateTime: z.string().nullish(),
    FileType: z.string().nullish(),
    Parser: z.string().nullish(),
    SizeInBytes: looseNumber,
    Status: z.string().nullish(),
    Tags: z.array(z.string()).nullish(),
    ParseResultDownloadUrl: z.string().nullish(),
    ParseErrorMessage: z.string().nullish(),
  })
  .passthrough();

/** `Data` of ListFile (spec §3.5). */
export const listFileDataSchema = z
  .object({
    FileList: z.array(fileDataSchema).nullish(),
    HasNext: z.union([z.boolean(), z.string()]).nullish(),
    MaxResults: looseNumber,
    NextToken: z.string().nullish(),
    TotalCount: looseNumber,
  })
  .passthrough();

/** `Data` of DeleteFile and UpdateFileTag. */
export const fileIdDataSchema = z.object({ FileId: z.string().nullish() }).passthrough();

/** `Data` of AddCategory (spec §3.6). */
export const addCategoryDataSchema = z
  .object({ CategoryId: z.string(), CategoryName: z.string().nullish() })
  .passthrough();

/** One category of ListCategory (spec §3.6). */
export const categoryDataSchema = z
  .object({
    CategoryId: z.string(),
    CategoryName: z.string().nullish(),
    CategoryType: z.string().nullish(),
    IsDefault: z.union([z.boolean(), z.string()]).nullish(),
    ParentCategoryId: z.string().nullish(),
  })
  .passthrough();

/** `Data` of ListCategory (spec §3.6). */
export const listCategoryDataSchema = z
  .object({
    CategoryList: z.array(categoryDataSchema).nullish(),
    HasNext: z.union([z.boolean(), z.string()]).nullish(),
    MaxResults: looseNumber,
    NextToken: z.string().nullish(),
    TotalCount: looseNumber,
  })
  .passthrough();

/** `Data` of DeleteCategory. */
export const categoryIdDataSchema = z.object({ CategoryId: z.string().nullish() }).passthrough();

/** `Data` of CreateIndex, SubmitIndexJob and SubmitIndexAddDocumentsJob (spec §3.7). */
export const indexIdDataSchema = z.object({ Id: z.string(), IndexId: z.string().nullish() }).passthrough();

/** One document of GetIndexJobStatus (spec §3.7). */
export const indexJobDocumentSchema = z
  .object({
    DocId: z.string().nullish(),
    DocName: z.string().nullish(),
    Status: z.string().nullish(),
    Code: z.string().nullish(),
    Message: z.string().nullish(),
    GmtModified: looseNumber,
  })
  .passthrough();

/** `Data` of GetIndexJobStatus (spec §3.7). */
export const indexJobStatusDataSchema = z
  .object({
    JobId: z.string().nullish(),
    Status: z.string().nullish(),
    Documents: z.array(indexJobDocumentSchema).nullish(),
    PageNumber: looseNumber,
    PageSize: looseNumber,
    TotalCount: looseNumber,
  })
  .passthrough();

/** One document of ListIndexDocuments. */
export const indexDocumentSchema = z
  .object({
    Id: z.string().nullish(),
    Name: z.string().nullish(),
    Status: z.string().nullish(),
    Code: z.string().nullish(),
    Message: z.string().nullish(),
    DocumentType: z.string().nullish(),
    SourceId: z.string().nullish(),
    Size: looseNumber,
    GmtModified: looseNumber,
  })
  .passthrough();

/** `Data` of ListIndexDocuments. */
export const listIndexDocumentsDataSchema = z
  .object({
    Documents: z.array(indexDocumentSchema).nullish(),
    IndexId: z.string().nullish(),
    PageNumber: looseNumber,
    PageSize: looseNumber,
    TotalCount: looseNumber,
  })
  .passthrough();

/** `Data` of DeleteIndexDocument. */
export const deleteIndexDocumentDataSchema = z
  .object({ DeletedDocument: z.array(z.string()).nullish(), Id: z.string().nullish() })
  .passthrough();

/** A file as DescribeFile and ListFile return it (spec §3.4), with every field the service sent. */
export interface FileData {
  /** `file_…`. */
  FileId: string;
  /** The name with its extension. */
  FileName?: string | null;
  /** The category. */
  CategoryId?: string | null;
  /** `yyyy-MM-dd HH:mm:ss`, UTC+8. */
  CreateTime?: string | null;
  /** The extension, e.g. `pdf`. */
  FileType?: string | null;
  /** The parser. */
  Parser?: string | null;
  /** Bytes. */
  SizeInBytes?: number | null;
  /** `INIT`, `IN_PARSE_QUEUE`, `PARSING`, `PARSE_SUCCESS`, `PARSE_FAILED`, or a SESSION_FILE state. */
  Status?: string | null;
  /** Tags. */
  Tags?: string[] | null;
  /** Where the parse result can be downloaded. */
  ParseResultDownloadUrl?: string | null;
  /** Why parsing failed. */
  ParseErrorMessage?: string | null;
  /** Fields this version does not know, kept as sent. */
  [field: string]: unknown;
}

/** One category as ListCategory returns it (spec §3.6). */
export interface CategoryData {
  /** `cate_…`, or `default`. */
  CategoryId: string;
  /** The name. */
  CategoryName?: string | null;
  /** `UNSTRUCTURED`. */
  CategoryType?: string | null;
  /** Whether it is the workspace's default category. */
  IsDefault?: boolean | string | null;
  /** The parent category. */
  ParentCategoryId?: string | null;
  /** Fields this version does not know, kept as sent. */
  [field: string]: unknown;
}

/** One document of an index job, as GetIndexJobStatus returns it (spec §3.7). */
export interface IndexJobDocument {
  /** The file id. */
  DocId?: string | null;
  /** The document's name. */
  DocName?: string | null;
  /** `RUNNING`, `FINISH`, `INSERT_ERROR` or `DELETED`. */
  Status?: string | null;
  /** An error code, e.g. `Index.Document.ChunkError`. */
  Code?: string | null;
  /** An error message. */
  Message?: string | null;
  /** When it last changed (epoch ms). */
  GmtModified?: number | null;
  /** Fields this version does not know, kept as sent. */
  [field: string]: unknown;
}

/** GetIndexJobStatus's `Data` (spec §3.7). */
export interface IndexJobStatusData {
  /** The job. */
  JobId?: string | null;
  /** `PENDING`, `RUNNING`, `COMPLETED` or `FAILED`. */
  Status?: string | null;
  /** The job's documents. */
  Documents?: IndexJobDocument[] | null;
  /** Fields this version does not know, kept as sent. */
  [field: string]: unknown;
}

/** One document of an index, as ListIndexDocuments returns it. */
export interface IndexDocument {
  /** The file id. */
  Id?: string | null;
  /** The name. */
  Name?: string | null;
  /** `RUNNING`, `FINISH`, `INSERT_ERROR` or `DELETED`. */
  Status?: string | null;
  /** An error code. */
  Code?: string | null;
  /** An error message. */
  Message?: string | null;
  /** Fields this version does not know, kept as sent. */
  [field: string]: unknown;
}

/** ApplyFileUploadLease's `Data`. @internal */
export type LeaseData = z.infer<typeof leaseDataSchema>;

/** True when the service said the call succeeded: `Success` is `true` or `"true"`, or absent (spec §10.4). */
export function isSuccessField(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}
