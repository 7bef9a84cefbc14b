/** Limits of the Files API for one account. Sizes in bytes; "MB" and "GB" in the service's documentation are read as binary units. */
export interface FilesLimits {
  /**
   * Largest `file-extract` upload.
   * @default 157286400 (150 MB)
   */
  readonly fileExtractMaxBytes: number;
  /**
   * Largest `batch` upload.
   * @default 524288000 (500 MB)
   */
  readonly batchMaxBytes: number;
  /**
   * Longest line of a `batch` file. Lines are validated in memory, so this also bounds what one upload may hold in RAM.
   * @default 6291456 (6 MB)
   */
  readonly batchLineMaxBytes: number;
  /**
   * Requests one batch may hold (the Batch API's documented 50,000); a batch whose input holds more ends `failed`.
   * @default 50000
   */
  readonly batchMaxRequests: number;
  /**
   * Files one account may hold.
   * @default 10000
   */
  readonly maxFiles: number;
  /**
   * Bytes one account may hold over all its files.
   * @default 107374182400 (100 GB)
   */
  readonly maxTotalBytes: number;
  /**
   * Uploads per second per account.
   * @default 3
   */
  readonly uploadsPerSecond: number;
  /**
   * Retrieve, list and delete calls per second per account, together.
   * @default 10
   */
  readonly queriesPerSecond: number;
}

/** The documented limits of the Files API. */
export const defaultFilesLimits: FilesLimits = Object.freeze({
  fileExtractMaxBytes: 150 * 1024 * 1024,
  batchMaxBytes: 500 * 1024 * 1024,
  batchLineMaxBytes: 6 * 1024 * 1024,
  batchMaxRequests: 50_000,
  maxFiles: 10_000,
  maxTotalBytes: 100 * 1024 * 1024 * 1024,
  uploadsPerSecond: 3,
  queriesPerSecond: 10,
});
