export type { BailianNetwork, BailianRegion } from './bailian-endpoint.js';
export { bailianBaseUrl, bailianEndpoints } from './bailian-endpoint.js';
export type { AddCategoryOptions, ListCategoriesOptions } from './category-calls.js';
export type { ParserConfig } from './document-checks.js';
export {
  checkDocumentSize,
  checkFileName,
  checkParserConfig,
  checkTags,
  documentSizeLimits,
} from './document-checks.js';
export type { DocumentInput } from './document-source.js';
export type { ListFilesOptions } from './file-calls.js';
export type {
  CreateIndexOptions,
  ListIndexDocumentsOptions,
  WaitForIndexJobOptions,
} from './index-calls.js';
export type {
  CategoryData,
  FileData,
  IndexDocument,
  IndexJobDocument,
  IndexJobStatusData,
} from './kb-lease-api.js';
export type {
  CategoryType,
  DocumentProgress,
  KnowledgeBaseClientOptions,
  UploadDocumentOptions,
  WaitUntilParsedOptions,
} from './kb-lease-options.js';
export type { KnowledgeBaseClient, SignalOptions } from './knowledge-base-client.js';
export { createKnowledgeBaseClient } from './knowledge-base-client.js';
export type { KnowledgeBaseErrorOptions } from './knowledge-base-error.js';
export { KnowledgeBaseError } from './knowledge-base-error.js';
export { parseLeaseHeaders } from './lease-headers.js';
export type { UpdatedDocument } from './update-document.js';
export type { KnowledgeBaseDocument } from './upload-document.js';
export type { ManifestEntry } from './upload-manifest.js';
export type {
  UploadManyDocument,
  UploadManyItem,
  UploadManyOptions,
  UploadManyProgress,
  UploadManyResult,
} from './upload-many.js';
