/** One attempt's view of a body: its exact length and the bytes to send. */
export interface OpenedBody {
  /** Exact number of bytes that will be sent; becomes `content-length`. */
  readonly sizeBytes: number;
  /** The whole body, for small in-memory bodies. */
  readonly bytes?: Uint8Array;
  /** The body as a stream of chunks, for files and streams. */
  readonly stream?: AsyncIterable<Uint8Array>;
  /**
   * How progress is counted for this body when it is not every byte of it: a multipart form reports only the bytes of
   * its file parts, out of the files' size, never the envelope (boundaries, part headers, fields).
   */
  readonly progress?: BodyProgress;
}

/** How bytes handed to the socket map to the bytes of the file(s) a body carries. */
export interface BodyProgress {
  /** The files' total size in bytes, reported as `totalBytes`. */
  readonly totalBytes: number;
  /** The file bytes among the first `sentBytes` bytes of the body. */
  loadedBytes(sentBytes: number): number;
}

/** Options of {@link RequestBody.open}. */
export interface OpenBodyOptions {
  /** Stops opening (a `stat`, a hash). */
  signal?: AbortSignal;
  /**
   * The consumer promises that a chunk is no longer referenced once it has asked for two more chunks (undici's own
   * HTTP/1.1 and HTTP/2 writers do), so file reads may recycle their buffers. @default false
   */
  reuseBuffers?: boolean;
}

/**
 * A request body that knows its exact length. Build one with `jsonBody`, `formBody`, `bytesBody`, `fileBody`,
 * `streamBody` or `multipartBody`.
 */
export interface RequestBody {
  /** The `content-type` sent unless the request's headers set one (undefined sends none). */
  readonly contentType: string | undefined;
  /** True when `open` can be called again, so a failed attempt can be retried with the same bytes. */
  readonly isReopenable: boolean;
  /** True once `open` has been called on a body that cannot be reopened. */
  readonly isConsumed: boolean;
  /**
   * Opens the body for one attempt.
   * @throws {@link InvalidInputError} when the source cannot be read or was already consumed.
   */
  open(options?: OpenBodyOptions): Promise<OpenedBody>;
  /**
   * Lowercase hex SHA-256 of the body bytes, for signatures that cover the payload. Absent when the body can only
   * be read once.
   */
  sha256Hex?(options?: { signal?: AbortSignal }): Promise<string>;
}
