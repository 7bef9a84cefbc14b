import { hmacSha1 } from '@x/hash';

/** Query parameters OSS V1 treats as sub-resources (they are signed; every other parameter is not). */
const SUB_RESOURCES = new Set([
  'acl',
  'uploads',
  'location',
  'cors',
  'logging',
  'website',
  'referer',
  'lifecycle',
  'delete',
  'append',
  'tagging',
  'objectMeta',
  'uploadId',
  'partNumber',
  'security-token',
  'position',
  'img',
  'style',
  'styleName',
  'replication',
  'replicationProgress',
  'replicationLocation',
  'cname',
  'bucketInfo',
  'comp',
  'qos',
  'live',
  'status',
  'vod',
  'startTime',
  'endTime',
  'symlink',
  'x-oss-process',
  'callback',
  'callback-var',
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
]);

/** What an OSS V1 query-string signature covers. */
export interface OssV1SignedRequest {
  /** HTTP method, upper case. */
  readonly method: string;
  /** `Content-MD5` header value, or `""`. */
  readonly contentMd5: string;
  /** `Content-Type` header value, or `""`. */
  readonly contentType: string;
  /** The `Expires` query value (decimal epoch seconds, as sent). */
  readonly expires: string;
  /** Request headers by lowercase name (only `x-oss-*` ones are used). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Bucket name. */
  readonly bucket: string;
  /** Object key, decoded. */
  readonly key: string;
  /** The query parameters (only sub-resources are used). */
  readonly query: URLSearchParams;
}

/**
 * The OSS V1 string to sign of a pre-signed URL: verb, Content-MD5, Content-Type, Expires, the sorted `x-oss-*`
 * headers and the canonical resource `/bucket/key[?sub-resources]`.
 *
 * @example
 * ```ts
 * ossV1StringToSign({ method: 'PUT', contentMd5: '', contentType: 'application/pdf', expires: '1716699536',
 *   headers: {}, bucket: 'b', key: 'a.pdf', query: new URLSearchParams() })
 * // 'PUT\n\napplication/pdf\n1716699536\n/b/a.pdf'
 * ```
 */
export function ossV1StringToSign(request: OssV1SignedRequest): string {
  const ossHeaders = Object.entries(request.headers)
    .filter((entry): entry is [string, string] => entry[0].startsWith('x-oss-') && entry[1] !== undefined)
    .map(([name, value]) => [name, value.trim()] as const)
    .sort(([left], [right]) => (left < right ? -1 : 1))
    .map(([name, value]) => `${name}:${value}\n`)
    .join('');
  const subResources = [...new Set(request.query.keys())]
    .filter((name) => SUB_RESOURCES.has(name) || name.startsWith('x-oss-ac-'))
    .sort()
    .map((name) => {
      const value = request.query.get(name) ?? '';
      return value === '' ? name : `${name}=${value}`;
    });
  const resource = `/${request.bucket}/${request.key}${subResources.length > 0 ? `?${subResources.join('&')}` : ''}`;
  return `${request.method}\n${request.contentMd5}\n${request.contentType}\n${request.expires}\n${ossHeaders}${resource}`;
}

/** Base64 HMAC-SHA1 of the string to sign, keyed by the OSS AccessKey secret. */
export function ossV1Signature(accessKeySecret: string, stringToSign: string): string {
  return hmacSha1(accessKeySecret, stringToSign).toString('base64');
}
