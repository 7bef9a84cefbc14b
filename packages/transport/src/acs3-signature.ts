import { hmacSha256, sha256Hex } from '@x/hash';

/** The signing algorithm name, as it appears in `Authorization`. */
export const acs3Algorithm = 'ACS3-HMAC-SHA256';

/** Everything an ACS3 signature covers. */
export interface Acs3SignatureInput {
  /** The HTTP method, upper case. */
  method: string;
  /** The path as sent on the wire (already percent-encoded per segment), without the query. */
  pathname: string;
  /** Query parameters, decoded; keys in their exact case. */
  query: Readonly<Record<string, string>>;
  /** Request headers; `host`, `content-type` and `x-acs-*` are signed, whatever their case. */
  headers: Readonly<Record<string, string>>;
  /** Lowercase hex SHA-256 of the body bytes (the `x-acs-content-sha256` value). */
  payloadHash: string;
  /** The AccessKey ID. */
  accessKeyId: string;
  /** The AccessKey secret (the HMAC key, as is). */
  accessKeySecret: string;
}

/** The parts of an ACS3 signature, for tests and debugging. */
export interface Acs3Signature {
  /** The canonical request that was hashed. */
  canonicalRequest: string;
  /** `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request. */
  stringToSign: string;
  /** The signed header names, sorted, joined with `;`. */
  signedHeaders: string;
  /** Lowercase hex HMAC-SHA256 of the string to sign. */
  signature: string;
  /** The full `Authorization` header value. */
  authorization: string;
}

/** `encodeURIComponent` plus `! ' ( ) *`, as the SDK encodes canonical query values. @internal */
export function acs3Encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Computes an ACS3-HMAC-SHA256 signature exactly as `@alicloud/openapi-core` does: the canonical URI replaces every
 * `+`, `*` and `%7E`; query keys are sorted by UTF-16 code units and left unencoded while values are encoded;
 * `host`, `content-type` and `x-acs-*` headers are signed, trimmed, duplicates sorted and comma-joined.
 *
 * @internal
 */
export function acs3Signature(input: Acs3SignatureInput): Acs3Signature {
  const canonicalUri = input.pathname.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
  const canonicalQuery = Object.keys(input.query)
    .sort()
    .map((key) => `${key}=${acs3Encode(input.query[key] ?? '')}`)
    .join('&');
  const signed = new Map<string, string[]>();
  for (const [name, value] of Object.entries(input.headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-acs-') || lower === 'host' || lower === 'content-type') {
      const values = signed.get(lower) ?? [];
      values.push((value ?? '').trim());
      signed.set(lower, values);
    }
  }
  const names = [...signed.keys()].sort();
  const canonicalHeaders = names.map((name) => `${name}:${signed.get(name)!.sort().join(',')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  const stringToSign = `${acs3Algorithm}\n${sha256Hex(canonicalRequest)}`;
  const signature = hmacSha256(input.accessKeySecret, stringToSign).toString('hex');
  const authorization = `${acs3Algorithm} Credential=${input.accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`;
  return { canonicalRequest, stringToSign, signedHeaders, signature, authorization };
}

/** `YYYY-MM-DDTHH:mm:ssZ` in UTC, no milliseconds (the `x-acs-date` format). @internal */
export function acs3Date(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
