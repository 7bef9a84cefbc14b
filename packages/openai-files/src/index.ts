export type { ByteStream, UploadInput, UploadStreamSource } from '@x/transport';
export {
  CredentialsError,
  HttpStatusError,
  InvalidInputError,
  NetworkError,
  PollTimeoutError,
  ResponseValidationError,
  RetriesExhaustedError,
  TimeoutError,
  TransportError,
} from '@x/transport';
export { BatchInputError } from './batch-input-error.js';
export { fileExtractExtensions } from './check-file-type.js';
export type { FilesClient } from './create-files-client.js';
export { createFilesClient } from './create-files-client.js';
export { FileProcessingError } from './file-processing-error.js';
export type { FileDeleted, FileList, FileObject, FilePurpose, FileStatus } from './openai-files-api.js';
export type {
  CallOptions,
  CreatedTime,
  DownloadOptions,
  FilesClientOptions,
  FilesLimits,
  FilesRegion,
  ListAllOptions,
  ListFilters,
  ListOptions,
  UploadManyOptions,
  UploadManyProgress,
  UploadOptions,
  UploadProgress,
  UploadPurpose,
  WaitOptions,
} from './openai-files-options.js';
export { defaultFilesLimits, regionBaseUrls } from './openai-files-options.js';
export type { UploadManyItem, UploadManyResult } from './upload-many.js';
