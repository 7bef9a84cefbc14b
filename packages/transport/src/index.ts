export type { Acs3Options, CredentialsProvider } from './acs3.js';
export { acs3 } from './acs3.js';
export type {
  AlibabaCloudCredential,
  AlibabaCloudCredentialModel,
  AlibabaCloudCredentialsOptions,
} from './alibaba-cloud-credentials.js';
export { alibabaCloudCredentials } from './alibaba-cloud-credentials.js';
export { apiKeyLabel } from './api-key-label.js';
export type { Authorization, AuthRequest, AuthStrategy } from './auth-strategy.js';
export { bearer } from './bearer.js';
export { bytesBody } from './bytes-body.js';
export { checkOptions } from './check-options.js';
export type { ClientResources, ClientResourcesOptions, Closable } from './client-resources.js';
export { createClientResources, limiterOptionSchema, transportOptionSchema } from './client-resources.js';
export { ConfigurationError } from './configuration-error.js';
export type {
  AcceptedResponse,
  BodyFailure,
  HttpMethod,
  RequestOptions,
  Transport,
  TransportOptions,
  TransportResponse,
  UploadProgress,
} from './create-transport.js';
export { createTransport } from './create-transport.js';
export type { CredentialsErrorOptions } from './credentials-error.js';
export { CredentialsError } from './credentials-error.js';
export type { FileBodyOptions, FileSnapshot } from './file-body.js';
export { fileBody, statFile } from './file-body.js';
export type { FileUrlOptions, LocalFileReference } from './file-url.js';
export { fileUrlToPath, parseLocalReference } from './file-url.js';
export { formBody } from './form-body.js';
export type { SizeUnit } from './format-size.js';
export { formatSize, formatSizeOverLimit } from './format-size.js';
export { guessContentType } from './guess-content-type.js';
export type { HttpSource, HttpSourceOptions } from './http-source.js';
export { openHttpSource } from './http-source.js';
export type { HttpStatusErrorOptions } from './http-status-error.js';
export { HttpStatusError } from './http-status-error.js';
export type { InvalidInputErrorOptions } from './invalid-input-error.js';
export { InvalidInputError } from './invalid-input-error.js';
export { jsonBody } from './json-body.js';
export type { Limiter, Logger, TimeoutOptions } from './limiter.js';
export type {
  MultipartField,
  MultipartFile,
  MultipartPart,
  MultipartStreamSource,
} from './multipart-body.js';
export { multipartBody } from './multipart-body.js';
export type { NetworkErrorOptions } from './network-error.js';
export { NetworkError } from './network-error.js';
export { none } from './none.js';
export type {
  PollContext,
  PollOptions,
  PollStep,
  PollTimeoutErrorOptions,
} from './poll-until.js';
export { PollTimeoutError, pollUntil } from './poll-until.js';
export type { BodyProgress, OpenBodyOptions, OpenedBody, RequestBody } from './request-body.js';
export type { AccessKeyCredentials } from './resolve-access-key.js';
export { resolveAccessKey } from './resolve-access-key.js';
export type { Environment } from './resolve-api-key.js';
export { resolveApiKey } from './resolve-api-key.js';
export type { ResponseValidationErrorOptions } from './response-validation-error.js';
export { ResponseValidationError } from './response-validation-error.js';
export type { RetriesExhaustedErrorOptions } from './retries-exhausted-error.js';
export { RetriesExhaustedError } from './retries-exhausted-error.js';
export type { RetryOptions } from './retry-policy.js';
export type { PoolResult, PoolWorkerContext, RunPoolOptions } from './run-pool.js';
export { runPool } from './run-pool.js';
export type { StreamBodyOptions, StreamSource } from './stream-body.js';
export { streamBody } from './stream-body.js';
export type { TimeoutErrorOptions, TimeoutPhase } from './timeout-error.js';
export { TimeoutError } from './timeout-error.js';
export type { Delivery, TransportErrorCode, TransportErrorOptions } from './transport-error.js';
export { TransportError } from './transport-error.js';
export type {
  ByteStream,
  ResolveUploadSourceOptions,
  UploadInput,
  UploadSource,
  UploadStreamSource,
} from './upload-source.js';
export { resolveUploadSource } from './upload-source.js';
