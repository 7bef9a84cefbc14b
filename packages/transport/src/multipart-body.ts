import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { readFile, statFile } from './file-body.js';
import { InvalidInputError } from './invalid-input-error.js';
import type { BodyProgress, RequestBody } from './request-body.js';
import { toAsyncIterable } from './stream-body.js';

/** A file part's source that is neither a path nor a `Blob`: a stream factory with a known length. */
export interface MultipartStreamSource {
  /** Opens a fresh stream of the file's bytes (called once per attempt). */
  stream: () => AsyncIterable<Uint8Array> | Readable;
  /** Exact number of bytes the stream yields. */
  sizeBytes: number;
}

/** A text field of a multipart form. */
export interface MultipartField {
  /** The field name. */
  name: string;
  /** The field value, sent as UTF-8 text. */
  value: string;
}

/** A file part of a multipart form. */
export interface MultipartFile {
  /** The field name, e.g. `file`. */
  name: string;
  /** A path on disk, a `Blob`/`File`, or a stream factory with its size. */
  file: string | Blob | MultipartStreamSource;
  /** The `filename` sent. @default the path's base name, the `File`'s name, or `blob` */
  fileName?: string;
  /** The part's `content-type`. @default the `Blob`'s type, else 'application/octet-stream' */
  contentType?: string;
}

/** One part of a multipart form: a text field or a file. */
export type MultipartPart = MultipartField | MultipartFile;

const crlf = '\r\n';

/**
 * A `multipart/form-data` body framed by hand: text fields first, file parts streamed last in large reads (one read for a small file), and an
 * exact `content-length` computed before a byte is sent (never chunked). Reopenable when every file part is a path,
 * a `Blob` or a stream factory.
 *
 * @param parts - Text fields and files, in the order they should appear (fields are moved before files).
 * @example
 * ```ts
 * multipartBody([{ name: 'purpose', value: 'file-extract' }, { name: 'file', file: 'report.pdf' }])
 * ```
 */
export function multipartBody(parts: readonly MultipartPart[]): RequestBody {
  const boundary = `----x-transport-${randomBytes(12).toString('hex')}`;
  const fields = parts.filter((part): part is MultipartField => 'value' in part);
  const files = parts.filter((part): part is MultipartFile => 'file' in part);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    isReopenable: true,
    isConsumed: false,
    async open(openOptions = {}) {
      const reuseBuffers = openOptions.reuseBuffers === true;
      let head = fields
        .map((field) => `--${boundary}${crlf}${disposition(field.name)}${crlf}${crlf}${field.value}${crlf}`)
        .join('');
      for (const field of fields) checkPartHeader('field name', field.name);
      const segments: { preamble: Buffer; sizeBytes: number; open: () => AsyncIterable<Uint8Array> }[] = [];
      for (const part of files) {
        const { sizeBytes, open, fileName, contentType } = await describeFile(part, reuseBuffers);
        checkPartHeader('field name', part.name);
        checkPartHeader('file name', fileName);
        checkPartHeader('content type', contentType);
        head += `--${boundary}${crlf}${disposition(part.name, fileName)}${crlf}Content-Type: ${contentType}${crlf}${crlf}`;
        segments.push({ preamble: Buffer.from(head, 'utf8'), sizeBytes, open });
        head = crlf;
      }
      const epilogue = Buffer.from(`${head}--${boundary}--${crlf}`, 'utf8');
      const sizeBytes =
        segments.reduce((total, segment) => total + segment.preamble.byteLength + segment.sizeBytes, 0) +
        epilogue.byteLength;
      return { sizeBytes, stream: frame(segments, epilogue), progress: fileProgress(segments) };
    },
  };
}

/** Progress in the files' own bytes: where each file part starts in the body and how long it is. */
function fileProgress(segments: readonly { preamble: Buffer; sizeBytes: number }[]): BodyProgress {
  const ranges: { startBytes: number; sizeBytes: number }[] = [];
  let offset = 0;
  for (const segment of segments) {
    offset += segment.preamble.byteLength;
    ranges.push({ startBytes: offset, sizeBytes: segment.sizeBytes });
    offset += segment.sizeBytes;
  }
  return {
    totalBytes: ranges.reduce((total, range) => total + range.sizeBytes, 0),
    loadedBytes(sentBytes) {
      let loaded = 0;
      for (const range of ranges)
        loaded += Math.min(range.sizeBytes, Math.max(0, sentBytes - range.startBytes));
      return loaded;
    },
  };
}

async function* frame(
  segments: readonly { preamble: Buffer; sizeBytes: number; open: () => AsyncIterable<Uint8Array> }[],
  epilogue: Buffer,
): AsyncGenerator<Uint8Array> {
  for (const segment of segments) {
    yield segment.preamble;
    let sentBytes = 0;
    for await (const chunk of segment.open()) {
      sentBytes += chunk.byteLength;
      yield chunk;
    }
    if (sentBytes !== segment.sizeBytes) {
      throw new InvalidInputError(
        'BODY_SIZE_MISMATCH',
        `A multipart file part yielded ${sentBytes} bytes where ${segment.sizeBytes} were declared`,
      );
    }
  }
  yield epilogue;
}

async function describeFile(
  part: MultipartFile,
  reuseBuffers: boolean,
): Promise<{
  sizeBytes: number;
  open: () => AsyncIterable<Uint8Array>;
  fileName: string;
  contentType: string;
}> {
  const { file } = part;
  if (typeof file === 'string') {
    const snapshot = await statFile(file);
    const sizeBytes = snapshot.sizeBytes;
    return {
      sizeBytes,
      open: () => readFile(file, sizeBytes, reuseBuffers, snapshot),
      fileName: part.fileName ?? baseName(file),
      contentType: part.contentType ?? 'application/octet-stream',
    };
  }
  if (isBlob(file)) {
    return {
      sizeBytes: file.size,
      open: () => toAsyncIterable(file.stream()),
      fileName: part.fileName ?? ('name' in file && typeof file.name === 'string' ? file.name : 'blob'),
      contentType: part.contentType || file.type || 'application/octet-stream',
    };
  }
  return {
    sizeBytes: file.sizeBytes,
    open: () => toAsyncIterable(file.stream()),
    fileName: part.fileName ?? 'blob',
    contentType: part.contentType ?? 'application/octet-stream',
  };
}

/**
 * Part headers are written here and nowhere else: CR, LF and NUL would end a part header line early and let a value
 * (a content type, a file name) add headers of its own, so they are refused. `"` in names is escaped as browsers do.
 */
function checkPartHeader(what: string, value: string): void {
  if (/[\r\n\0]/.test(value)) {
    throw new InvalidInputError(
      'INVALID_INPUT',
      `A multipart ${what} contains CR, LF or NUL, which would end the part header line: ${JSON.stringify(value)}`,
    );
  }
}

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || 'file';
}

/** Escapes a name as browsers and undici do: `"` -> %22 (CR and LF were refused before). */
function escapeName(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function disposition(name: string, fileName?: string): string {
  const file = fileName === undefined ? '' : `; filename="${escapeName(fileName)}"`;
  return `Content-Disposition: form-data; name="${escapeName(name)}"${file}`;
}
