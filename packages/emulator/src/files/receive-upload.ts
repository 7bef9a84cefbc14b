import { createReadStream, createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type busboy from 'busboy';
import { createMultipartParser } from '../multipart-parser.js';
import { createBatchInputValidator } from './batch-input-validator.js';
import { createFileInspector, fileExtension } from './file-inspector.js';
import { FilesApiError } from './files-api-error.js';

/** The `file` part of an upload, already on disk. */
export interface ReceivedFile {
  /** File name as the client sent it (UTF-8, without any path). */
  readonly filename: string;
  /** Where the bytes were written (nothing is written past `maxBytes`). */
  readonly path: string;
  /** Bytes the client sent in the part, counted to the end even past `maxBytes`. */
  readonly bytes: number;
  /** Why the service could not parse the file as a `file-extract` document, if it could not. */
  readonly parseError: string | undefined;
  /** The first problem of the file as a Batch input file, if any (not checked when the purpose came first and was not `batch`). */
  readonly batchError: string | undefined;
}

/** What a multipart upload carried. */
export interface ReceivedUpload {
  /** Text fields by name (the last value wins). */
  readonly fields: ReadonlyMap<string, string>;
  /** The `file` part, if there was one. */
  readonly file: ReceivedFile | undefined;
  /** File parts beyond the first `file`, or under another name. */
  readonly extraFileParts: number;
}

/** Options of {@link receiveUpload}. */
export interface ReceiveUploadOptions {
  /** Path to write the file part to. */
  readonly path: string;
  /** Largest file to write for a purpose (`Infinity` for an unknown purpose). */
  maxBytesFor(purpose: string | undefined): number;
  /** Longest line the Batch input check holds in memory. */
  readonly batchLineMaxBytes: number;
}

/** The client went away before its upload ended: there is no one to answer. */
export class ClientGoneError extends Error {
  constructor() {
    super('The client closed the connection during the upload');
    this.name = 'ClientGoneError';
  }
}

/**
 * Parses a multipart/form-data upload with busboy, streaming the `file` part to disk while checking its content, so
 * memory stays flat whatever the file's size. On failure the partly written file is removed.
 *
 * @throws {@link FilesApiError} 400 for a body that is not well-formed multipart.
 * @throws {@link ClientGoneError} when the connection closes before the body ends.
 */
export async function receiveUpload(
  request: IncomingMessage,
  options: ReceiveUploadOptions,
): Promise<ReceivedUpload> {
  let parser: busboy.Busboy;
  try {
    parser = createMultipartParser(request.headers, { fields: 32, fieldSize: 64 * 1024, parts: 64 });
  } catch (error) {
    throw new FilesApiError(
      400,
      'InvalidParameter',
      `Malformed multipart/form-data request: ${(error as Error).message}`,
    );
  }

  const fields = new Map<string, string>();
  let file: ReceivedFile | undefined;
  let extraFileParts = 0;
  let writing: Promise<void> = Promise.resolve();
  let fileStream: Readable | undefined;

  parser.on('field', (name, value) => fields.set(name, value));
  parser.on('file', (name, stream, info) => {
    if (name !== 'file' || fileStream !== undefined) {
      extraFileParts += 1;
      stream.resume();
      return;
    }
    fileStream = stream;
    const purpose = fields.get('purpose');
    const maxBytes = options.maxBytesFor(purpose);
    const filename = info.filename ?? '';
    const inspector = createFileInspector(fileExtension(filename));
    const validator =
      purpose === undefined || purpose === 'batch'
        ? createBatchInputValidator({
            lineMaxBytes: options.batchLineMaxBytes,
            reread: () => createReadStream(options.path),
          })
        : undefined;
    let bytes = 0;
    const observer = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (bytes > maxBytes) return callback();
        inspector.write(chunk);
        validator?.write(chunk);
        callback(null, chunk);
      },
    });
    writing = pipeline(stream, observer, createWriteStream(options.path)).then(async () => {
      const isComplete = bytes <= maxBytes;
      const batchError = isComplete ? await validator?.finish() : undefined;
      file = {
        filename,
        path: options.path,
        bytes,
        parseError: isComplete ? inspector.finish() : undefined,
        batchError,
      };
    });
    // Reported after the parse ends; a rejection must not go unhandled meanwhile.
    writing.catch(() => {});
  });

  try {
    await new Promise<void>((resolve, reject) => {
      parser.on('close', resolve);
      parser.on('error', (error: Error) => {
        reject(
          new FilesApiError(
            400,
            'InvalidParameter',
            `Malformed multipart/form-data request: ${error.message}`,
          ),
        );
      });
      request.on('close', () => {
        if (!request.complete) reject(new ClientGoneError());
      });
      request.pipe(parser);
    });
    await writing;
  } catch (error) {
    request.unpipe(parser);
    fileStream?.destroy();
    await writing.catch(() => {});
    await unlink(options.path).catch(() => {});
    throw error;
  }
  return { fields, file, extraFileParts };
}
