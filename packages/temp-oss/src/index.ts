export type {
  ByteStream,
  FileUrlOptions,
  LocalFileReference,
  UploadInput,
  UploadStreamSource,
} from '@x/transport';
export { fileUrlToPath } from '@x/transport';
export type { IsExpiredOptions } from './is-expired.js';
export { fileLifetimeMs, isExpired } from './is-expired.js';
export { sanitizeObjectName } from './object-name.js';
export type { FetchLike } from './oss-resolve.js';
export { ossResolveHeaderName, ossResolveHeaders, withOssResolve } from './oss-resolve.js';
export type {
  ResolvedMessages,
  TempStorage,
  TempUploadResult,
  UploadManyItem,
  UploadManyResult,
} from './temp-oss.js';
export { createTempStorage } from './temp-oss.js';
export type {
  ResolveLocalFilesOptions,
  TempStorageOptions,
  TempStorageRegion,
  UploadManyOptions,
  UploadManyProgress,
  UploadOptions,
  UploadProgress,
} from './temp-oss-options.js';
export { regionBaseUrls } from './temp-oss-options.js';
