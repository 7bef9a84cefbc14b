import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { InvalidInputError, type MultipartStreamSource } from '@x/transport';
import { fileUrlToPath } from './file-url.js';

/** Chunks of a file: a Node stream, a web stream, or any async iterable of bytes. */
export type ByteStream = Readable | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** A file given as a stream and its exact size. */
export interface UploadStreamSource {
  /**
   * The bytes, or a function that opens them afresh. Only a function can be read a second time, which an upload
   * needs when the service asks for a retry (an expired policy); a bare stream is sent once.
   */
  stream: ByteStream | (() => ByteStream);
  /** Exact number of bytes the stream yields; checked against the model's limit before anything is sent. */
  sizeBytes: number;
}

/** What can be uploaded: a path (or `file:` URL), a `Blob`/`File`, bytes, or a stream with its size. */
export type UploadInput = string | URL | Blob | Uint8Array | UploadStreamSource;

/** An input made ready for the multipart form. @internal */
export interface ResolvedSource {
  /** The file part's source: a path (read by the transport in large reused buffers), a `Blob`, or a stream. */
  readonly part: string | Blob | MultipartStreamSource;
  /** Bytes of the file. */
  readonly sizeBytes: number;
  /** Name the input carries (a path's or a `File`'s), if any. */
  readonly fileName: string | undefined;
  /** Whether the bytes can be sent a second time. */
  readonly isReopenable: boolean;
  /** A `Blob`'s own type. */
  readonly contentType: string | undefined;
}

/**
 * Checks an upload input and learns its size without reading it.
 *
 * @throws `InvalidInputError` `FILE_NOT_FOUND`, `NOT_A_FILE`, `FILE_NOT_READABLE`, `INVALID_FILE_URL`,
 * `INVALID_SIZE` or `INVALID_INPUT`.
 * @internal
 */
export async function resolveUploadSource(input: UploadInput): Promise<ResolvedSource> {
  if (typeof input === 'string' || input instanceof URL) {
    const path = toPath(input);
    const sizeBytes = await fileSize(path);
    return {
      part: path,
      sizeBytes,
      fileName: basename(path),
      isReopenable: true,
      contentType: undefined,
    };
  }
  if (input instanceof Blob) {
    const fileName =
      'name' in input && typeof input.name === 'string' && input.name !== '' ? input.name : undefined;
    return {
      part: input,
      sizeBytes: input.size,
      fileName,
      isReopenable: true,
      contentType: input.type || undefined,
    };
  }
  if (input instanceof Uint8Array) {
    const bytes = input;
    return {
      part: { sizeBytes: bytes.byteLength, stream: () => oneChunk(bytes) },
      sizeBytes: bytes.byteLength,
      fileName: undefined,
      isReopenable: true,
      contentType: undefined,
    };
  }
  if (typeof input === 'object' && input !== null && 'stream' in input && 'sizeBytes' in input) {
    const { sizeBytes, stream } = input;
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) {
      throw new InvalidInputError(
        'INVALID_SIZE',
        `sizeBytes must be a non-negative integer, got ${String(sizeBytes)}`,
      );
    }
    if (typeof stream === 'function') {
      return {
        part: { sizeBytes, stream: () => asIterable(stream()) },
        sizeBytes,
        fileName: undefined,
        isReopenable: true,
        contentType: undefined,
      };
    }
    let isConsumed = false;
    const once = () => {
      if (isConsumed) {
        throw new InvalidInputError(
          'BODY_CONSUMED',
          'This stream was already sent once; pass a function that reopens it',
        );
      }
      isConsumed = true;
      return asIterable(stream);
    };
    return {
      part: { sizeBytes, stream: once },
      sizeBytes,
      fileName: undefined,
      isReopenable: false,
      contentType: undefined,
    };
  }
  throw new InvalidInputError(
    'INVALID_INPUT',
    `Expected a path, a file: URL, a Blob, a Uint8Array or { stream, sizeBytes } as the file to upload, got ${describeInput(input)}`,
  );
}

function toPath(input: string | URL): string {
  if (input instanceof URL) {
    if (input.protocol !== 'file:')
      throw new InvalidInputError('INVALID_FILE_URL', `Not a file: URL: ${input.protocol}`);
    return fileURLToPath(input);
  }
  const reference = fileUrlToPath(input);
  if (reference?.kind === 'invalid')
    throw new InvalidInputError('INVALID_FILE_URL', `${input}: ${reference.reason}`);
  return reference?.path ?? input;
}

/** The size of a regular file, or an error that names it. */
export async function fileSize(path: string): Promise<number> {
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw new InvalidInputError('NOT_A_FILE', `Not a file: ${path}`);
    return stats.size;
  } catch (error) {
    if (InvalidInputError.isInstance(error)) throw error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new InvalidInputError('FILE_NOT_FOUND', `No such file: ${path}`, { cause: error });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new InvalidInputError('FILE_NOT_READABLE', `Permission denied reading ${path}`, { cause: error });
    }
    throw new InvalidInputError('FILE_READ_FAILED', `Could not read ${path}`, { cause: error });
  }
}

function asIterable(stream: ByteStream): AsyncIterable<Uint8Array> {
  // Node streams and web streams are async iterables of their chunks in every supported Node version.
  return stream as AsyncIterable<Uint8Array>;
}

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  if (bytes.byteLength > 0) yield bytes;
}

/** Common types of the media models read, by extension; the service keeps what the form says. */
const contentTypes: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  heic: 'image/heic',
  svg: 'image/svg+xml',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  opus: 'audio/opus',
  amr: 'audio/amr',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  avi: 'video/x-msvideo',
  mkv: 'video/x-matroska',
  webm: 'video/webm',
  flv: 'video/x-flv',
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  jsonl: 'application/jsonl',
  html: 'text/html',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

/** The content type for a file name, from its extension. @internal */
export function guessContentType(fileName: string): string {
  const extension = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase();
  return (extension && contentTypes[extension]) || 'application/octet-stream';
}

/** A short description of a value that is not an upload input: its type, and its value when it is a primitive. */
function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (typeof input === 'object')
    return `an object (${Object.keys(input).slice(0, 5).join(', ') || 'no keys'})`;
  if (typeof input === 'function') return 'a function';
  return `${typeof input} ${String(input).slice(0, 64)}`;
}
