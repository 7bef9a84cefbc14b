import { createWriteStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHasher } from '@x/hash';
import type busboy from 'busboy';
import { drainRequest } from '../http-reply.js';
import { createMultipartParser } from '../multipart-parser.js';
import { escapeXml, newOssRequestId, ossErrorXml } from '../oss-error-xml.js';
import type { Exchange } from '../surface.js';
import type { ObjectStore } from './object-store.js';
import {
  checkConditions,
  isSignatureValid,
  type OssFailure,
  parsePolicy,
  signPolicy,
  sizeRange,
} from './post-policy.js';

/** OSS's hard ceiling for one PostObject body: 5 GB. */
export const maxPostObjectBytes = 5 * 1024 ** 3;

/** What the PostObject endpoint needs from its surface. */
export interface PostObjectDependencies {
  /** The bucket's name; requests to another bucket get `NoSuchBucket`. */
  readonly bucket: string;
  /** AccessKey pairs that may sign policies for the bucket. */
  readonly credentials: ReadonlyMap<string, string>;
  /** Object storage. */
  readonly store: ObjectStore;
  /** How long a stored object lives, in milliseconds of emulated time. */
  readonly objectTtlMs: number;
  /** Refuse bodies without `Content-Length` with 411. */
  readonly requireContentLength: boolean;
  /** Which model and account issued the policy covering `key`, if the emulator issued it. */
  binding(key: string): { model: string; account: string } | undefined;
}

/** The checks that run once every field before `file` is known, in OSS's order. */
interface AcceptedForm {
  readonly key: string;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly isOverwriteForbidden: boolean;
  readonly successStatus: string | undefined;
  readonly successRedirect: string | undefined;
  readonly contentType: string | undefined;
}

/**
 * Answers an OSS V1 PostObject to `/oss/<bucket>`: parses the multipart form with busboy, checks, in OSS's order,
 * the auth fields, the access key, the signature, the policy document, its expiry, every condition, the size range
 * and forbid-overwrite, streams the `file` part to disk (never into memory) and answers per `success_action_status`.
 */
export async function handlePostObject(
  exchange: Exchange,
  bucket: string,
  dependencies: PostObjectDependencies,
) {
  const { request, response } = exchange;
  const requestId = newOssRequestId();
  const hostId = request.headers.host ?? '127.0.0.1';
  const fail = (failure: OssFailure) => {
    if (failure.reason !== undefined) exchange.setReason(failure.reason);
    sendOssError(response, failure, requestId, hostId);
  };

  if (bucket !== dependencies.bucket) {
    await drainRequest(request);
    return fail({ status: 404, code: 'NoSuchBucket', message: 'The specified bucket does not exist.' });
  }
  if (dependencies.requireContentLength && request.headers['content-length'] === undefined) {
    await drainRequest(request);
    return fail({
      status: 411,
      code: 'MissingContentLength',
      message: 'You must provide the Content-Length HTTP header.',
    });
  }
  const malformed: OssFailure = {
    status: 400,
    code: 'MalformedPOSTRequest',
    message: 'The body of your POST request is not well-formed multipart/form-data.',
  };
  let parser: busboy.Busboy;
  try {
    parser = createMultipartParser(request.headers, { fieldSize: 1024 * 1024, fields: 1000 });
  } catch {
    await drainRequest(request);
    return fail(malformed);
  }

  const fields = new Map<string, string>();
  let stored: Promise<StoredResult | OssFailure> | undefined;
  parser.on('field', (name, value) => {
    if (stored === undefined && !fields.has(name.toLowerCase())) fields.set(name.toLowerCase(), value);
  });
  parser.on('file', (name, stream, info) => {
    if (stored !== undefined || name.toLowerCase() !== 'file') {
      stream.resume();
      return;
    }
    const form = checkForm(fields, bucket, dependencies, exchange.context.clock.now());
    if ('status' in form) {
      stored = Promise.resolve(form);
      stream.resume();
      return;
    }
    stored = storeBody(stream, form, info, dependencies, exchange.context.clock.now());
    // Awaited once the whole form is parsed; this keeps an early failure from being reported as unhandled.
    stored.catch(() => undefined);
  });

  try {
    await pipeline(request, parser);
  } catch {
    if (stored !== undefined) await stored.catch(() => undefined);
    if (request.destroyed && !request.complete) return;
    return fail(malformed);
  }
  if (stored === undefined) {
    return fail({
      status: 400,
      code: 'InvalidArgument',
      message:
        "Bucket POST must contain a field named 'file'. If it is specified, please check the order of the fields.",
    });
  }
  const account = dependencies.binding(fields.get('key') ?? '')?.account;
  if (account !== undefined) exchange.setAccount(account);
  const result = await stored;
  if ('status' in result) return fail(result);
  exchange.addSubject(result.key);
  sendSuccess(response, result, bucket, exchange.context.baseUrl(), requestId);
}

/** Steps 2 to 7 of the check order, on the fields that came before `file`. */
function checkForm(
  fields: ReadonlyMap<string, string>,
  bucket: string,
  dependencies: PostObjectDependencies,
  nowMs: number,
): AcceptedForm | OssFailure {
  const accessKeyId = fields.get('ossaccesskeyid');
  const policyBase64 = fields.get('policy');
  const signature = fields.get('signature');
  if (accessKeyId === undefined && policyBase64 === undefined && signature === undefined) {
    return {
      status: 403,
      code: 'AccessDenied',
      message: 'You have no right to access this object because of bucket acl.',
    };
  }
  const missing = (field: string, ec?: string): OssFailure => ({
    status: 400,
    code: 'InvalidArgument',
    message: `Bucket POST must contain a field named '${field}'. If it is specified, please check the order of the fields.`,
    ...(ec === undefined ? {} : { ec }),
  });
  if (policyBase64 === undefined) return missing('policy', '0002-00000702');
  if (signature === undefined) return missing('Signature', '0002-00000703');
  if (signature === '') {
    return {
      status: 400,
      code: 'InvalidArgument',
      message: 'The Signature field must not be empty.',
      ec: '0002-00000704',
    };
  }
  if (accessKeyId === undefined) return missing('OSSAccessKeyId');
  const secret = dependencies.credentials.get(accessKeyId);
  if (secret === undefined) {
    return {
      status: 403,
      code: 'InvalidAccessKeyId',
      message: 'The OSS Access Key Id you provided does not exist in our records.',
    };
  }
  if (!isSignatureValid(signPolicy(secret, policyBase64), signature)) {
    return {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message:
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      ec: '0002-00000705',
    };
  }
  const policy = parsePolicy(policyBase64);
  if ('status' in policy) return policy;
  if (nowMs > policy.expiresAtMs) {
    return {
      status: 403,
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy expired.',
      reason: `policy expired ${Math.max(1, Math.round((nowMs - policy.expiresAtMs) / 1000))} s ago`,
    };
  }
  const key = fields.get('key');
  if (key === undefined || key === '') return missing('key');
  const conditionFailure = checkConditions(policy.conditions, (field) =>
    field === 'bucket' ? bucket : (fields.get(field) ?? ''),
  );
  if (conditionFailure !== undefined) return conditionFailure;
  const forbidOverwrite = fields.get('x-oss-forbid-overwrite');
  if (forbidOverwrite !== undefined && !/^(true|false)$/i.test(forbidOverwrite)) {
    return {
      status: 400,
      code: 'InvalidArgument',
      message: `Invalid x-oss-forbid-overwrite value: ${forbidOverwrite}. It must be true or false.`,
      ec: '0006-00000117',
    };
  }
  const { minBytes, maxBytes } = sizeRange(policy.conditions, maxPostObjectBytes);
  return {
    key,
    minBytes,
    maxBytes,
    isOverwriteForbidden: forbidOverwrite?.toLowerCase() === 'true',
    successStatus: fields.get('success_action_status'),
    successRedirect: fields.get('success_action_redirect'),
    contentType: fields.get('x-oss-content-type') ?? fields.get('content-type'),
  };
}

interface StoredResult {
  readonly key: string;
  readonly etag: string;
  readonly successStatus: string | undefined;
  readonly successRedirect: string | undefined;
}

/** Steps 8 to 10: streams the body to disk (size range enforced), then forbid-overwrite, then stores. */
async function storeBody(
  stream: NodeJS.ReadableStream,
  form: AcceptedForm,
  info: busboy.FileInfo,
  dependencies: PostObjectDependencies,
  uploadedAtMs: number,
): Promise<StoredResult | OssFailure> {
  const bodyPath = dependencies.store.newBodyPath();
  const hasher = createHasher('md5');
  let sizeBytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sizeBytes += chunk.length;
      if (sizeBytes > form.maxBytes) {
        callback();
        return;
      }
      hasher.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(stream, meter, createWriteStream(bodyPath));
  } catch (error) {
    await dependencies.store.discard(bodyPath);
    throw error;
  }
  const etag = hasher.digest().hex.toUpperCase();
  const reject = async (failure: OssFailure) => {
    await dependencies.store.discard(bodyPath);
    return failure;
  };
  if (sizeBytes > form.maxBytes) {
    return reject({
      status: 400,
      code: 'EntityTooLarge',
      message: 'Your proposed upload exceeds the maximum allowed size.',
      ec: '0006-00000003',
    });
  }
  if (sizeBytes < form.minBytes) {
    return reject({
      status: 400,
      code: 'EntityTooSmall',
      message: 'Your proposed upload is smaller than the minimum allowed size.',
      ec: '0006-00000004',
    });
  }
  // biome-ignore lint/suspicious/noTemplateCurlyInString: OSS's own `${filename}` key variable, not a template.
  const key = form.key.replaceAll('${filename}', info.filename ?? '');
  if (form.isOverwriteForbidden && dependencies.store.get(key) !== undefined) {
    return reject({
      status: 409,
      code: 'FileAlreadyExists',
      message: 'The object you specified already exists and can not be overwritten.',
    });
  }
  const binding = dependencies.binding(key);
  dependencies.store.put(
    {
      key,
      bucket: dependencies.bucket,
      sizeBytes,
      etag,
      contentType: form.contentType ?? info.mimeType ?? 'application/octet-stream',
      model: binding?.model,
      account: binding?.account,
      uploadedAtMs,
      expiresAtMs: uploadedAtMs + dependencies.objectTtlMs,
    },
    bodyPath,
  );
  return { key, etag, successStatus: form.successStatus, successRedirect: form.successRedirect };
}

function sendSuccess(
  response: ServerResponse,
  result: StoredResult,
  bucket: string,
  baseUrl: string,
  requestId: string,
): void {
  const headers = {
    'x-oss-request-id': requestId,
    etag: `"${result.etag}"`,
    server: 'AliyunOSS',
  };
  if (result.successRedirect !== undefined && result.successRedirect !== '') {
    const location = new URL(result.successRedirect);
    location.searchParams.set('bucket', bucket);
    location.searchParams.set('key', result.key);
    location.searchParams.set('etag', `"${result.etag}"`);
    response.writeHead(303, { ...headers, location: location.toString(), 'content-length': 0 });
    response.end();
    return;
  }
  if (result.successStatus === '201') {
    const objectUrl = `${baseUrl}/oss/${bucket}/${result.key.split('/').map(encodeURIComponent).join('/')}`;
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<PostResponse><Bucket>${escapeXml(bucket)}</Bucket><Location>${escapeXml(objectUrl)}</Location>` +
      `<Key>${escapeXml(result.key)}</Key><ETag>"${result.etag}"</ETag></PostResponse>`;
    response.writeHead(201, {
      ...headers,
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
    return;
  }
  response.writeHead(result.successStatus === '200' ? 200 : 204, { ...headers, 'content-length': 0 });
  response.end();
}

/** Sends an OSS XML error. */
export function sendOssError(
  response: ServerResponse,
  failure: OssFailure,
  requestId: string,
  hostId: string,
): void {
  const body = ossErrorXml(failure.code, failure.message, {
    requestId,
    hostId,
    ...(failure.ec === undefined ? {} : { ec: failure.ec }),
  });
  response.writeHead(failure.status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-oss-request-id': requestId,
    server: 'AliyunOSS',
  });
  response.end(body);
}
