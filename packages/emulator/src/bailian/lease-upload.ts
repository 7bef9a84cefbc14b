import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createHasher } from '@x/hash';
import { headerText } from '../utf8-text.js';
import type { BailianLease, BailianObject } from './bailian-state.js';
import { createDocumentSniffer } from './document-sniffer.js';
import { ossV1Signature, ossV1StringToSign } from './oss-v1-signature.js';

/** Path prefix of the pre-signed PUT URLs; the first path segment doubles as the OSS bucket name. */
export const UPLOAD_PATH_PREFIX = '/bailian-upload/';

/** The bucket name pre-signed URLs are signed for. */
export const UPLOAD_BUCKET = 'bailian-upload';

/** The OSS AccessKey the emulated data center signs its upload URLs with. */
export interface UploadSigningKey {
  /** `OSSAccessKeyId` in the URL. */
  readonly accessKeyId: string;
  /** HMAC-SHA1 key. */
  readonly accessKeySecret: string;
}

/** What the PUT endpoint needs from the surface. */
export interface LeaseUploadContext {
  /** Emulated time, epoch ms. */
  readonly now: () => number;
  /** Where object bodies go. */
  readonly objectsDir: string;
  /** The key upload URLs are signed with. */
  readonly signingKey: UploadSigningKey;
  /** The lease that issued a URL for an object key. */
  readonly leaseForKey: (key: string) => BailianLease | undefined;
  /** Called once the lease behind a correctly signed URL is known (to record the account). */
  readonly onLease: (lease: BailianLease) => void;
  /** Stores a finished object. */
  readonly saveObject: (object: BailianObject) => void;
  /** Refuse a body without `Content-Length` (chunked) with 411 `MissingContentLength`, as PostObject does. */
  readonly requireContentLength: boolean;
}

/**
 * Builds a lease's pre-signed PUT URL (OSS V1 query signature) on the emulator's origin.
 *
 * @example
 * ```ts
 * presignUploadUrl('http://127.0.0.1:8080', '1005/llm-x/ab.1.pdf', 'application/pdf', 1716699536, key)
 * // 'http://127.0.0.1:8080/bailian-upload/1005/llm-x/ab.1.pdf?Expires=1716699536&OSSAccessKeyId=...&Signature=...'
 * ```
 */
export function presignUploadUrl(
  baseUrl: string,
  key: string,
  contentType: string,
  expiresSeconds: number,
  signingKey: UploadSigningKey,
): string {
  const stringToSign = ossV1StringToSign({
    method: 'PUT',
    contentMd5: '',
    contentType,
    expires: String(expiresSeconds),
    headers: {},
    bucket: UPLOAD_BUCKET,
    key,
    query: new URLSearchParams(),
  });
  const signature = ossV1Signature(signingKey.accessKeySecret, stringToSign);
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `${baseUrl}${UPLOAD_PATH_PREFIX}${path}?Expires=${expiresSeconds}&OSSAccessKeyId=${encodeURIComponent(
    signingKey.accessKeyId,
  )}&Signature=${encodeURIComponent(signature)}`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (character) => `&#${character.charCodeAt(0)};`);
}

function ossRequestId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 24).toUpperCase();
}

/** Writes an OSS XML error (`x-oss-request-id`, `Server: AliyunOSS`) and drains the request body. */
export function sendOssError(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
  headers: Readonly<Record<string, string>> = {},
): void {
  const requestId = ossRequestId();
  const host = request.headers.host ?? '';
  const fields = { Code: code, Message: message, RequestId: requestId, HostId: host, ...extra };
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n${Object.entries(fields)
    .map(([name, value]) => `  <${name}>${escapeXml(value)}</${name}>\n`)
    .join('')}</Error>\n`;
  response.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-oss-request-id': requestId,
    server: 'AliyunOSS',
    ...headers,
  });
  response.end(body);
  request.resume();
}

function ecFields(ec: string): Record<string, string> {
  return { EC: ec, RecommendDoc: `https://api.aliyun.com/troubleshoot?q=${ec}` };
}

/**
 * Answers `PUT /bailian-upload/<key>?Expires&OSSAccessKeyId&Signature` as OSS does: parameters, expiry, AccessKey,
 * signature (which covers `Content-Type`), then the lease's `X-bailian-extra` header. The body streams to disk while
 * its MD5 is computed; nothing of it is kept in memory.
 */
export async function handleLeaseUpload(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: LeaseUploadContext,
): Promise<void> {
  if (request.method !== 'PUT') {
    sendOssError(
      request,
      response,
      405,
      'MethodNotAllowed',
      'The specified method is not allowed against this resource.',
    );
    return;
  }
  if (context.requireContentLength && request.headers['content-length'] === undefined) {
    sendOssError(
      request,
      response,
      411,
      'MissingContentLength',
      'You must provide the Content-Length HTTP header.',
    );
    return;
  }
  const query = url.searchParams;
  const signature = query.get('Signature');
  const expires = query.get('Expires');
  const accessKeyId = query.get('OSSAccessKeyId');
  if (signature === null || expires === null || accessKeyId === null) {
    sendOssError(
      request,
      response,
      403,
      'AccessDenied',
      'Query string authentication requires the Signature, Expires and OSSAccessKeyId parameters',
      ecFields(expires === null ? '0002-00000067' : '0002-00000068'),
    );
    return;
  }
  if (!/^\d+$/.test(expires)) {
    sendOssError(
      request,
      response,
      403,
      'AccessDenied',
      'Invalid date (should be seconds since epoch)',
      ecFields('0002-00000070'),
    );
    return;
  }
  if (context.now() > Number(expires) * 1000) {
    sendOssError(request, response, 403, 'AccessDenied', 'Request has expired.', {
      Expires: expires,
      ...ecFields('0002-00000069'),
    });
    return;
  }
  if (accessKeyId !== context.signingKey.accessKeyId) {
    sendOssError(
      request,
      response,
      403,
      'InvalidAccessKeyId',
      'The OSS Access Key Id you provided does not exist in our records.',
      { OSSAccessKeyId: accessKeyId },
    );
    return;
  }
  let key: string;
  try {
    key = decodeURIComponent(url.pathname.slice(UPLOAD_PATH_PREFIX.length));
  } catch {
    key = '';
  }
  // Every value as UTF-8 text, as the signer hashed it (spec temp-oss-and-oss-signing: HMAC over UTF-8(StringToSign)).
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = headerText(Array.isArray(value) ? value.join(',') : value);
  }
  const contentType = headers['content-type'] ?? '';
  const stringToSign = ossV1StringToSign({
    method: 'PUT',
    contentMd5: headers['content-md5'] ?? '',
    contentType,
    expires,
    headers,
    bucket: UPLOAD_BUCKET,
    key,
    query,
  });
  if (ossV1Signature(context.signingKey.accessKeySecret, stringToSign) !== signature) {
    sendOssError(
      request,
      response,
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { StringToSign: stringToSign, OSSAccessKeyId: accessKeyId, ...ecFields('0002-00000040') },
    );
    return;
  }
  const lease = context.leaseForKey(key);
  if (!lease) {
    sendOssError(request, response, 404, 'NoSuchKey', 'The specified key does not exist.');
    return;
  }
  context.onLease(lease);
  if (headers['x-bailian-extra'] !== lease.headers['X-bailian-extra']) {
    sendOssError(
      request,
      response,
      403,
      'AccessDenied',
      'The X-bailian-extra header is missing or does not match the upload lease.',
    );
    return;
  }

  await mkdir(context.objectsDir, { recursive: true });
  const finalPath = join(context.objectsDir, key.replace(/[^\w.-]/g, '_'));
  const partPath = `${finalPath}.${randomUUID()}.part`;
  const hasher = createHasher('md5');
  const sniffer = createDocumentSniffer(lease.fileName);
  try {
    await pipeline(
      request,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hasher.update(chunk);
          sniffer.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(partPath),
    );
    await rename(partPath, finalPath);
  } catch {
    // The client went away or the disk failed: keep nothing of a partial body.
    await rm(partPath, { force: true });
    if (!response.headersSent && !response.destroyed) {
      sendOssError(request, response, 400, 'IncompleteBody', 'The request body was not received completely.');
    }
    return;
  }
  const digest = hasher.digest();
  const parseErrorMessage = sniffer.parseError();
  context.saveObject({
    key,
    path: finalPath,
    md5: digest.hex,
    sizeBytes: digest.sizeBytes,
    contentType,
    uploadedAtMs: context.now(),
    ...(parseErrorMessage === undefined ? {} : { parseErrorMessage }),
  });
  response.writeHead(200, {
    etag: `"${digest.hex.toUpperCase()}"`,
    'content-md5': digest.base64,
    'content-length': 0,
    'x-oss-request-id': ossRequestId(),
    server: 'AliyunOSS',
  });
  response.end();
}
