import { createHash, createHmac } from 'node:crypto';

/** Bytes or UTF-8 text. */
export type BinaryLike = Uint8Array | string;

/**
 * SHA-256 of bytes or UTF-8 text, as lowercase hex (the payload hash of ACS3 request signing).
 *
 * @example
 * ```ts
 * sha256Hex('') // 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 * ```
 */
export function sha256Hex(data: BinaryLike): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * MD5 of bytes or UTF-8 text, as lowercase hex.
 *
 * @example
 * ```ts
 * md5Hex('abc') // '900150983cd24fb0d6963f7d28e17f72'
 * ```
 */
export function md5Hex(data: BinaryLike): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * MD5 of bytes or UTF-8 text, as base64 (a `Content-MD5` header value).
 *
 * @example
 * ```ts
 * md5Base64('') // '1B2M2Y8AsgTpgAmY7PhCfg=='
 * ```
 */
export function md5Base64(data: BinaryLike): string {
  return createHash('md5').update(data).digest('base64');
}

/**
 * HMAC-SHA256 (ACS3 request signing). Returns the raw bytes; call `.toString('hex')` for hex.
 *
 * @example
 * ```ts
 * hmacSha256('secret', stringToSign).toString('hex')
 * ```
 */
export function hmacSha256(key: BinaryLike, data: BinaryLike): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * HMAC-SHA1 (OSS V1 POST policies and pre-signed URLs). Returns the raw bytes; call `.toString('base64')` for base64.
 *
 * @example
 * ```ts
 * hmacSha1(accessKeySecret, policyBase64).toString('base64')
 * ```
 */
export function hmacSha1(key: BinaryLike, data: BinaryLike): Buffer {
  return createHmac('sha1', key).update(data).digest();
}
