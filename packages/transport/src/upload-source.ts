import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createHasher, type Digest, type HashAlgorithm, hashFile, hashStream } from '@x/hash';
import { bytesBody } from './bytes-body.js';
import {
  type FileSnapshot,
  fileBody,
  fileInputError,
  readFile,
  readWholeFile,
  statFile,
  wholeReadMaxBytes,
} from './file-body.js';
import { fileUrlToPath } from './file-url.js';
import { InvalidInputError } from './invalid-input-error.js';
import type { MultipartStreamSource } from './multipart-body.js';
import type { RequestBody } from './request-body.js';

/** Chunks of a file: a Node stream, a web stream, or any async iterable of bytes. */
export type ByteStream = Readable | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** A file given as a stream (or a function that opens one) and its exact size. */
export interface UploadStreamSource {
  /**
   * The bytes, or a function that opens them afresh. Only a function can be read a second time, which an upload
   * needs when it is retried (a throttled or failed attempt, an expired policy); a bare stream is sent once.
   * Give either `stream` or `open`.
   */
  stream?: ByteStream | (() => ByteStream);
  /** A function that opens the bytes afresh for each attempt (the same as `stream: () => ...`). */
  open?: () => ByteStream;
  /** Exact number of bytes the stream yields; checked against the service's limits before anything is sent. */
  sizeBytes: number;
  /** The file's name, when the stream has one. @default undefined */
  fileName?: string;
  /** The file's content type, when known. @default undefined */
  contentType?: string;
}

/**
 * What an upload accepts: a path, a `file:` URL (string or `URL`), a `Blob`/`File`, bytes, or a stream with its
 * exact size (`{ stream, sizeBytes }` or `{ open, sizeBytes }`).
 */
export type UploadInput = string | URL | Blob | Uint8Array | UploadStreamSource;

/** Options of {@link resolveUploadSource}. */
export interface ResolveUploadSourceOptions {
  /** Stops resolving (the `stat` of a path); the promise rejects with `signal.reason`. @default undefined */
  signal?: AbortSignal;
}

/** An upload input checked and made ready to send, as many times as it can be sent. */
export interface UploadSource {
  /** Exact number of bytes of the file. */
  readonly sizeBytes: number;
  /** The name the input carries (a path's base name, a `File`'s name, a stream's `fileName`), if any. */
  readonly fileName: string | undefined;
  /** The input's own content type (a `Blob`'s type, a stream's `contentType`), if any. */
  readonly contentType: string | undefined;
  /** The local path, for a path or a `file:` URL. */
  readonly path: string | undefined;
  /**
   * For a path: the file's size, modification time and inode when it was resolved. `open()` and `toBody()` fail
   * with `FILE_CHANGED` (not retryable) if the file is no longer that version, so a digest taken after resolving
   * (an MD5 declared to the service) stays true of the bytes sent; `part` re-checks per attempt instead.
   */
  readonly snapshot?: FileSnapshot;
  /** Whether the bytes can be sent again (false only for a bare stream). */
  readonly isReopenable: boolean;
  /** True once a bare stream has been opened; it cannot be opened again. */
  readonly isConsumed: boolean;
  /**
   * The file part for `multipartBody`: a path (read by the transport in large reused buffers), a `Blob`, or a stream
   * factory that opens the bytes afresh.
   */
  readonly part: string | Blob | MultipartStreamSource;
  /**
   * Opens the bytes afresh.
   * @throws {@link InvalidInputError} `BODY_CONSUMED` when a bare stream was already opened once.
   */
  open(): AsyncIterable<Uint8Array>;
  /**
   * A digest of the bytes (an MD5 to declare before the upload, as ApplyFileUploadLease asks), from one pass over
   * them. A path of at most 1 MiB is read once, whole, into one buffer of its size: the digest is of those bytes and
   * `open()` and `toBody()` then hand out the same bytes without reading the file again, so what is declared is
   * what is sent. A larger path is hashed in large reads and sent by later reads, each attempt checking the file is
   * still the version resolved (`FILE_CHANGED`).
   * @param algorithm - `md5`, `sha1` or `sha256`.
   * @throws {@link InvalidInputError} `BODY_CONSUMED` for a bare stream (it would be used up by the digest),
   * `FILE_CHANGED` or the file's own input error naming the path.
   * @throws `options.signal.reason` when aborted.
   */
  digest(algorithm: HashAlgorithm, options?: { signal?: AbortSignal }): Promise<Digest>;
  /**
   * The bytes as a raw request body (for a PUT), with an exact `content-length`, reopenable when the source is.
   * @param contentType - The `content-type` header ('' sends an empty one). @default the source's, else 'application/octet-stream'
   */
  toBody(contentType?: string): RequestBody;
}

/**
 * Checks an upload input and learns its size without reading it. Every flow accepts the same inputs through this:
 * a path or `file:` URL (reopened from disk for each attempt), a `Blob`/`File`, bytes, a stream factory
 * (`{ open, sizeBytes }`, reopened for each attempt), or a bare stream (`{ stream, sizeBytes }`, sent once).
 *
 * @throws {@link InvalidInputError} `FILE_NOT_FOUND`, `NOT_A_FILE`, `FILE_NOT_READABLE`, `INVALID_FILE_URL`,
 * `INVALID_SIZE` or `INVALID_INPUT`, each naming the path or value.
 * @throws `signal.reason` when aborted.
 * @example
 * ```ts
 * const source = await resolveUploadSource('report.pdf');
 * await transport.request({ method: 'PUT', path: url, auth: none(), body: source.toBody('application/pdf') });
 * ```
 */
export async function resolveUploadSource(
  input: UploadInput,
  options: ResolveUploadSourceOptions = {},
): Promise<UploadSource> {
  const { signal } = options;
  signal?.throwIfAborted();
  if (typeof input === 'string' || input instanceof URL) {
    const path = toPath(input);
    const snapshot = await statFile(path);
    signal?.throwIfAborted();
    return pathSource(path, snapshot);
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    const fileName =
      'name' in input && typeof input.name === 'string' && input.name !== '' ? input.name : undefined;
    return factorySource(
      input,
      input.size,
      () => asIterable(input.stream()),
      fileName,
      input.type || undefined,
    );
  }
  if (input instanceof Uint8Array) {
    const bytes = input;
    const open = () => oneChunk(bytes);
    return factorySource(
      { sizeBytes: bytes.byteLength, stream: open },
      bytes.byteLength,
      open,
      undefined,
      undefined,
    );
  }
  if (
    typeof input === 'object' &&
    input !== null &&
    'sizeBytes' in input &&
    ('stream' in input || 'open' in input)
  ) {
    const { sizeBytes, stream, open, fileName, contentType } = input;
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) {
      throw new InvalidInputError(
        'INVALID_SIZE',
        `sizeBytes must be a non-negative integer, got ${String(sizeBytes)}`,
      );
    }
    const factory = typeof open === 'function' ? open : typeof stream === 'function' ? stream : undefined;
    if (factory) {
      const reopen = () => asIterable(factory());
      return factorySource({ sizeBytes, stream: reopen }, sizeBytes, reopen, fileName, contentType);
    }
    if (stream === undefined || stream === null) {
      throw new InvalidInputError('INVALID_INPUT', 'Expected { stream, sizeBytes } or { open, sizeBytes }');
    }
    return oneShotSource(stream as ByteStream, sizeBytes, fileName, contentType);
  }
  throw new InvalidInputError(
    'INVALID_INPUT',
    `Expected a path, a file: URL, a Blob, a Uint8Array, { open, sizeBytes } or { stream, sizeBytes } as the file to upload, got ${describe(input)}`,
  );
}

/**
 * A path: reopened from disk for each attempt. A file of at most 1 MiB whose digest was taken keeps the bytes that
 * were hashed, and sends them.
 */
function pathSource(path: string, snapshot: FileSnapshot): UploadSource {
  const { sizeBytes } = snapshot;
  let read: Uint8Array | undefined;
  return {
    sizeBytes,
    snapshot,
    fileName: basename(path),
    contentType: undefined,
    path,
    isReopenable: true,
    isConsumed: false,
    part: path,
    open() {
      return read ? oneChunk(read) : readFile(path, sizeBytes, false, snapshot);
    },
    async digest(algorithm, options = {}) {
      const { signal } = options;
      signal?.throwIfAborted();
      if (sizeBytes <= wholeReadMaxBytes) {
        read ??= await readWholeFile(path, sizeBytes, snapshot);
        signal?.throwIfAborted();
        return createHasher(algorithm).update(read).digest();
      }
      try {
        return await hashFile(algorithm, path, { signal });
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw fileInputError(error, path);
      }
    },
    toBody(contentType) {
      const type = contentType ?? 'application/octet-stream';
      return read ? bytesBody(read, type) : fileBody(path, { contentType: type, unchangedSince: snapshot });
    },
  };
}

function factorySource(
  part: Blob | MultipartStreamSource,
  sizeBytes: number,
  open: () => AsyncIterable<Uint8Array>,
  fileName: string | undefined,
  contentType: string | undefined,
): UploadSource {
  return {
    sizeBytes,
    fileName,
    contentType,
    path: undefined,
    isReopenable: true,
    isConsumed: false,
    part,
    open,
    digest: (algorithm, options = {}) => hashStream(algorithm, open(), options),
    toBody(type) {
      return {
        contentType: type ?? contentType ?? 'application/octet-stream',
        isReopenable: true,
        isConsumed: false,
        async open() {
          return { sizeBytes, stream: open() };
        },
      };
    },
  };
}

function oneShotSource(
  stream: ByteStream,
  sizeBytes: number,
  fileName: string | undefined,
  contentType: string | undefined,
): UploadSource {
  let isConsumed = false;
  const open = () => {
    if (isConsumed) {
      throw new InvalidInputError(
        'BODY_CONSUMED',
        'This stream was already sent once and cannot be sent again; pass { open: () => stream, sizeBytes } or a path so it can be reopened',
      );
    }
    isConsumed = true;
    return asIterable(stream);
  };
  return {
    sizeBytes,
    fileName,
    contentType,
    path: undefined,
    isReopenable: false,
    get isConsumed() {
      return isConsumed;
    },
    part: { sizeBytes, stream: open },
    open,
    async digest() {
      throw new InvalidInputError(
        'BODY_CONSUMED',
        'A stream that can be read once cannot be hashed before it is sent; pass { open: () => stream, sizeBytes } or a path, or give the digest',
      );
    },
    toBody(type) {
      return {
        contentType: type ?? contentType ?? 'application/octet-stream',
        isReopenable: false,
        get isConsumed() {
          return isConsumed;
        },
        async open() {
          return { sizeBytes, stream: open() };
        },
      };
    },
  };
}

function toPath(input: string | URL): string {
  if (input instanceof URL) {
    if (input.protocol !== 'file:') {
      throw new InvalidInputError('INVALID_FILE_URL', `Not a file: URL: ${input.href}`);
    }
    return fileURLToPath(input);
  }
  const reference = fileUrlToPath(input);
  if (reference?.kind === 'invalid') {
    throw new InvalidInputError('INVALID_FILE_URL', `${input}: ${reference.reason}`, { path: input });
  }
  return reference?.path ?? input;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return `an object with keys ${Object.keys(value).slice(0, 5).join(', ') || '(none)'}`;
}

function asIterable(stream: ByteStream): AsyncIterable<Uint8Array> {
  // Node streams and web streams are async iterables of their chunks in every supported Node version.
  return stream as AsyncIterable<Uint8Array>;
}

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  if (bytes.byteLength > 0) yield bytes;
}
