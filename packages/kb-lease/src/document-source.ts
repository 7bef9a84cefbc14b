import { createHasher, hashStream } from '@x/hash';
import {
  InvalidInputError,
  type OpenBodyOptions,
  openHttpSource,
  type RequestBody,
  resolveUploadSource,
  type UploadInput,
} from '@x/transport';

/** A document to upload: a path, a `file:` URL, an `http(s)://` URL, or any upload input of `@x/transport`. */
export type DocumentInput = UploadInput;

/** A document made ready: its name, size, MD5 and a body that can be sent (again). @internal */
export interface DocumentSource {
  /** The name the input carries, if any. */
  readonly fileName: string | undefined;
  /** Exact bytes. */
  readonly sizeBytes: number;
  /** A short, secret-free description for messages. */
  readonly label: string;
  /** The MD5 (hex): the caller's, the source's declared one, or a first streamed pass. */
  md5(signal: AbortSignal | undefined): Promise<string>;
  /**
   * The raw PUT body, hashed as it streams: when the bytes sent do not hash to `md5`, the body fails with
   * `FILE_CHANGED` at its end, so the PUT fails and AddFile is never called.
   */
  body(md5: string): RequestBody;
}

/**
 * Resolves a document input. An `http(s)://` URL (string or `URL`) is read by streamed GETs, never stored; its MD5
 * comes from the caller, `Content-MD5`, or an OSS plain upload's ETag before falling back to a first pass.
 *
 * @internal
 */
export async function resolveDocumentSource(
  input: DocumentInput,
  options: { md5?: string | undefined; signal?: AbortSignal | undefined },
): Promise<DocumentSource> {
  const { signal } = options;
  const given = options.md5?.toLowerCase();
  const url = asHttpUrl(input);
  if (url) {
    const http = await openHttpSource(url, { signal });
    const known = given ?? http.md5;
    return {
      fileName: http.fileName,
      sizeBytes: http.sizeBytes,
      label: `${url.origin}${url.pathname}`,
      async md5(md5Signal) {
        if (known) return known;
        return (await hashStream('md5', http.open(), { signal: md5Signal })).hex;
      },
      body: (md5) => hashingBody(http.sizeBytes, () => http.open(), md5, `${url.origin}${url.pathname}`),
    };
  }
  const source = await resolveUploadSource(input, { signal });
  const label = source.path ?? source.fileName ?? 'the document';
  return {
    fileName: source.fileName,
    sizeBytes: source.sizeBytes,
    label,
    async md5(md5Signal) {
      if (given) return given;
      if (!source.isReopenable) {
        throw new InvalidInputError(
          'MD5_REQUIRED',
          `${label}: a stream that can be read once needs its md5 given (ApplyFileUploadLease declares it before the upload)`,
        );
      }
      // A path of at most 1 MiB is read once, whole: the MD5 is of those bytes and the PUT sends them.
      return (await source.digest('md5', { signal: md5Signal })).hex;
    },
    body(md5) {
      const inner = source.toBody('');
      return {
        contentType: undefined,
        isReopenable: inner.isReopenable,
        get isConsumed() {
          return inner.isConsumed;
        },
        async open(openOptions?: OpenBodyOptions) {
          const opened = await inner.open(openOptions);
          if (opened.bytes) {
            verifyBytes(opened.bytes, md5, label);
            return { sizeBytes: opened.sizeBytes, bytes: opened.bytes };
          }
          return { sizeBytes: opened.sizeBytes, stream: verify(opened.stream ?? empty(), md5, label) };
        },
      };
    },
  };
}

function hashingBody(
  sizeBytes: number,
  open: () => AsyncIterable<Uint8Array>,
  md5: string,
  label: string,
): RequestBody {
  return {
    contentType: undefined,
    isReopenable: true,
    isConsumed: false,
    async open() {
      return { sizeBytes, stream: verify(open(), md5, label) };
    },
  };
}

/** Passes chunks through, hashing each before it is handed on; throws `FILE_CHANGED` at the end on a mismatch. */
async function* verify(
  stream: AsyncIterable<Uint8Array>,
  md5: string,
  label: string,
): AsyncGenerator<Uint8Array> {
  const hasher = createHasher('md5');
  for await (const chunk of stream) {
    hasher.update(chunk);
    yield chunk;
  }
  checkMd5(hasher.digest().hex, md5, label);
}

/** Bytes sent in one piece (a small file read whole): hashed before a byte is sent. */
function verifyBytes(bytes: Uint8Array, md5: string, label: string): void {
  checkMd5(createHasher('md5').update(bytes).digest().hex, md5, label);
}

function checkMd5(hex: string, md5: string, label: string): void {
  if (hex !== md5) {
    throw new InvalidInputError(
      'FILE_CHANGED',
      `${label} changed between its MD5 and its upload: the bytes sent hash to ${hex}, the lease declared ${md5}`,
    );
  }
}

async function* empty(): AsyncGenerator<Uint8Array> {}

function asHttpUrl(input: DocumentInput): URL | undefined {
  if (input instanceof URL)
    return input.protocol === 'http:' || input.protocol === 'https:' ? input : undefined;
  if (typeof input === 'string' && /^https?:\/\//i.test(input)) {
    try {
      return new URL(input);
    } catch {
      throw new InvalidInputError('INVALID_SOURCE_URL', `Not a valid URL: ${input.slice(0, 200)}`);
    }
  }
  return undefined;
}
