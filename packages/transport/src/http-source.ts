import { type Dispatcher, getGlobalDispatcher } from 'undici';
import { InvalidInputError } from './invalid-input-error.js';
import { redactText } from './redact.js';

/** Options of {@link openHttpSource}. */
export interface HttpSourceOptions {
  /** Stops the HEAD request and every later GET. @default undefined */
  signal?: AbortSignal;
  /** The undici dispatcher for the source's requests. @default undici's global dispatcher (never replaced) */
  dispatcher?: Dispatcher;
  /** Extra request headers (for example a `Range`-free `Authorization` of a private source). @default {} */
  headers?: Record<string, string>;
}

/** A document on an `http(s)://` server, read by a fresh streamed GET each time it is opened. */
export interface HttpSource {
  /** The URL. */
  readonly url: string;
  /** Bytes, from the source's `Content-Length`. */
  readonly sizeBytes: number;
  /** The URL's last path segment, decoded, if any. */
  readonly fileName: string | undefined;
  /** The source's `Content-Type`, if any. */
  readonly contentType: string | undefined;
  /**
   * The MD5 (lower-case hex) the source declares, saving a read: `Content-MD5`, or the ETag of an OSS plain upload
   * (`x-oss-object-type: Normal` and a 32-hex ETag).
   */
  readonly md5: string | undefined;
  /** Where `md5` came from. */
  readonly md5From: 'content-md5' | 'oss-etag' | undefined;
  /** The response headers of the first request, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Opens the bytes with a new GET; chunks flow with backpressure, so memory stays at a few socket buffers.
   * @throws {@link InvalidInputError} `FILE_CHANGED` when the source now answers another status or size.
   */
  open(): AsyncIterable<Uint8Array>;
}

/**
 * Learns an `http(s)://` document's size, name, type and declared MD5 with a HEAD request (a GET whose body is
 * dropped when HEAD is refused), and returns a source that streams it afresh for each read. Nothing is stored on
 * disk or in memory. Pass `{ open: () => source.open(), sizeBytes: source.sizeBytes }` wherever an upload input
 * with a reopenable stream is taken.
 *
 * @throws {@link InvalidInputError} `INVALID_SOURCE_URL` for a URL that is not http(s), `SOURCE_UNAVAILABLE` when the
 * server answers an error status, `SOURCE_SIZE_UNKNOWN` without a `Content-Length`. Signed query values never appear
 * in messages.
 * @throws `signal.reason` when aborted.
 * @example
 * ```ts
 * const source = await openHttpSource('https://bucket.oss-cn-beijing.aliyuncs.com/docs/report.pdf');
 * console.log(source.sizeBytes, source.md5); // the ETag of a plain OSS upload is its MD5
 * ```
 */
export async function openHttpSource(
  url: string | URL,
  options: HttpSourceOptions = {},
): Promise<HttpSource> {
  const { signal, headers: extraHeaders = {} } = options;
  const target = new URL(String(url));
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new InvalidInputError('INVALID_SOURCE_URL', `Not an http(s) URL: ${redactText(target.toString())}`);
  }
  const shown = redactText(target.toString());
  const dispatcher = options.dispatcher ?? getGlobalDispatcher();
  const send = (method: 'HEAD' | 'GET', requestSignal: AbortSignal | undefined) =>
    dispatcher.request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method,
      headers: { 'accept-encoding': 'identity', ...extraHeaders },
      signal: requestSignal,
    });
  signal?.throwIfAborted();
  let response: Dispatcher.ResponseData;
  try {
    response = await send('HEAD', signal);
    await response.body.dump();
    if (response.statusCode === 405 || response.statusCode === 501) {
      response = await send('GET', signal);
      response.body.destroy();
    }
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new InvalidInputError('SOURCE_UNAVAILABLE', `${shown}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const headers = flatten(response.headers);
  if (response.statusCode >= 400) {
    throw new InvalidInputError('SOURCE_UNAVAILABLE', `${shown}: the source answered ${response.statusCode}`);
  }
  const sizeBytes = Number(headers['content-length']);
  if (headers['content-length'] === undefined || !Number.isSafeInteger(sizeBytes) || sizeBytes < 0) {
    throw new InvalidInputError('SOURCE_SIZE_UNKNOWN', `${shown}: the source sends no Content-Length`);
  }
  const declared = declaredMd5(headers);
  const segment = target.pathname.split('/').filter(Boolean).pop();
  let fileName: string | undefined;
  try {
    fileName = segment ? decodeURIComponent(segment) : undefined;
  } catch {
    fileName = segment;
  }

  async function* open(): AsyncGenerator<Uint8Array> {
    signal?.throwIfAborted();
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let got: Dispatcher.ResponseData | undefined;
    try {
      got = await send('GET', controller.signal);
      const length = got.headers['content-length'];
      if (got.statusCode !== 200 || Number(length) !== sizeBytes) {
        throw new InvalidInputError(
          'FILE_CHANGED',
          `${shown} changed since it was first read: now ${got.statusCode} with ${String(length)} bytes, was ${sizeBytes} bytes`,
        );
      }
      let readBytes = 0;
      for await (const chunk of got.body as AsyncIterable<Buffer>) {
        readBytes += chunk.byteLength;
        yield chunk;
      }
      if (readBytes !== sizeBytes) {
        throw new InvalidInputError(
          'FILE_CHANGED',
          `${shown} changed while it was being read: ${readBytes} of ${sizeBytes} bytes`,
        );
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (InvalidInputError.isInstance(error)) throw error;
      throw new InvalidInputError('SOURCE_UNAVAILABLE', `${shown}: ${redactText((error as Error).message)}`, {
        cause: error,
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      got?.body.destroy();
    }
  }

  return {
    url: target.toString(),
    sizeBytes,
    fileName,
    contentType: headers['content-type'],
    md5: declared?.md5,
    md5From: declared?.from,
    headers,
    open,
  };
}

/** `Content-MD5` (base64 of 16 bytes), or the ETag of an OSS object uploaded in one piece. @internal */
export function declaredMd5(
  headers: Readonly<Record<string, string>>,
): { md5: string; from: 'content-md5' | 'oss-etag' } | undefined {
  const contentMd5 = headers['content-md5']?.trim();
  if (contentMd5) {
    const bytes = Buffer.from(contentMd5, 'base64');
    if (bytes.byteLength === 16) return { md5: bytes.toString('hex'), from: 'content-md5' };
  }
  const etag = headers.etag?.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  if (
    headers['x-oss-object-type']?.trim().toLowerCase() === 'normal' &&
    etag &&
    /^[0-9A-Fa-f]{32}$/.test(etag)
  ) {
    return { md5: etag.toLowerCase(), from: 'oss-etag' };
  }
  return undefined;
}

function flatten(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}
