import { hmacSha256, sha256Hex } from '@x/hash';

/** The signing algorithm of the Alibaba Cloud OpenAPI V3 signature. */
export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** How far `x-acs-date` may be from the server's clock, either way. */
export const ACS3_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** The headers a request must sign, besides `content-type` and the STS headers when they are sent. */
const REQUIRED_SIGNED_HEADERS = [
  'host',
  'x-acs-action',
  'x-acs-content-sha256',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-version',
] as const;

/** The parts of a received request that an ACS3 signature covers. */
export interface Acs3Request {
  /** HTTP method, upper case. */
  readonly method: string;
  /** The path exactly as received, still percent-encoded, without the query. */
  readonly path: string;
  /** The raw query string as received, without the leading `?` (empty when there is none). */
  readonly query: string;
  /** Request headers by lowercase name; repeated headers keep every value. */
  readonly headers: Readonly<Record<string, readonly string[] | undefined>>;
  /** Lowercase hex SHA-256 of the exact body bytes received (of `""` when there is no body). */
  readonly bodySha256: string;
}

/** The fields of an `Authorization: ACS3-HMAC-SHA256 ...` header. */
export interface Acs3Authorization {
  /** The AccessKey ID after `Credential=`. */
  readonly accessKeyId: string;
  /** Lowercase header names after `SignedHeaders=`, in the client's order. */
  readonly signedHeaders: readonly string[];
  /** Lowercase hex signature. */
  readonly signature: string;
}

/** A secret the verifier may check a signature against. */
export interface Acs3Credential {
  /** AccessKey ID. */
  readonly accessKeyId: string;
  /** AccessKey secret, the HMAC key. */
  readonly accessKeySecret: string;
  /** STS security token the request must carry, for temporary credentials. */
  readonly securityToken?: string;
  /** When temporary credentials stop working (epoch ms). */
  readonly expiresAtMs?: number;
}

/** Why a request was refused, as the API gateway reports it. */
export interface Acs3Rejection {
  /** HTTP status. */
  readonly status: number;
  /** Gateway error code, e.g. `SignatureDoesNotMatch`. */
  readonly code: string;
  /** Gateway error message. */
  readonly message: string;
}

/** The outcome of verifying one request. */
export type Acs3Verification<Owner> =
  | { readonly ok: true; readonly owner: Owner; readonly credential: Acs3Credential }
  | { readonly ok: false; readonly rejection: Acs3Rejection };

/** Options of {@link createAcs3Verifier}. */
export interface Acs3VerifierOptions<Owner> {
  /** Current time in epoch ms (the emulator's clock). */
  readonly now: () => number;
  /** Finds the secret (and its owner) of an AccessKey ID, or `undefined` when the key does not exist. */
  readonly lookup: (
    accessKeyId: string,
  ) => { readonly credential: Acs3Credential; readonly owner: Owner } | undefined;
  /**
   * Allowed distance between `x-acs-date` and `now()`.
   * @default 900000 (15 minutes)
   */
  readonly clockSkewMs?: number;
}

/** Checks ACS3-HMAC-SHA256 signatures, clock skew and nonce reuse. Remembers nonces for twice the skew window. */
export interface Acs3Verifier<Owner> {
  /** Verifies one request; a nonce is only remembered once the signature is good. */
  verify(request: Acs3Request): Acs3Verification<Owner>;
}

const AUTHORIZATION_PATTERN =
  /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * Parses an `Authorization` header of the V3 signature, or returns `undefined` when it is not one.
 *
 * @example
 * ```ts
 * parseAcs3Authorization('ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;x-acs-date,Signature=ab12')
 * // { accessKeyId: 'id', signedHeaders: ['host', 'x-acs-date'], signature: 'ab12' }
 * ```
 */
export function parseAcs3Authorization(value: string | undefined): Acs3Authorization | undefined {
  const match = value === undefined ? null : AUTHORIZATION_PATTERN.exec(value);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { accessKeyId: match[1], signedHeaders: match[2].split(';'), signature: match[3] };
}

/** `encodeURIComponent` plus `! ' ( ) *`, as the canonical query string wants. */
function encodeCanonical(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The canonical query string: the received query decoded, sorted by key (UTF-16 order), values re-encoded.
 * Keys are not encoded, as the official SDK does not encode them.
 */
export function acs3CanonicalQuery(query: string): string {
  const pairs = [...new URLSearchParams(query)];
  pairs.sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return pairs.map(([key, value]) => `${key}=${encodeCanonical(value)}`).join('&');
}

/**
 * Builds the canonical request the client signed, using its `SignedHeaders` list.
 *
 * @example
 * ```ts
 * const canonical = acs3CanonicalRequest(request, ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date']);
 * ```
 */
export function acs3CanonicalRequest(request: Acs3Request, signedHeaders: readonly string[]): string {
  const canonicalUri = request.path.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
  const names = [...signedHeaders].sort();
  const canonicalHeaders = names
    .map((name) => {
      const values = (request.headers[name] ?? ['']).map((value) => value.trim()).sort();
      return `${name}:${values.join(',')}\n`;
    })
    .join('');
  return [
    request.method,
    canonicalUri,
    acs3CanonicalQuery(request.query),
    canonicalHeaders,
    names.join(';'),
    request.bodySha256,
  ].join('\n');
}

/** `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request. */
export function acs3StringToSign(canonicalRequest: string): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
}

/** Hex HMAC-SHA256 of the string to sign, keyed by the AccessKey secret as it is. */
export function acs3Signature(accessKeySecret: string, stringToSign: string): string {
  return hmacSha256(accessKeySecret, stringToSign).toString('hex');
}

function reject(status: number, code: string, message: string): { ok: false; rejection: Acs3Rejection } {
  return { ok: false, rejection: { status, code, message } };
}

function single(request: Acs3Request, name: string): string | undefined {
  return request.headers[name]?.[0];
}

/**
 * Creates a verifier of ACS3-HMAC-SHA256 requests as the Alibaba Cloud API gateway checks them: the `Authorization`
 * header, the AccessKey, the payload hash, `x-acs-date` within the skew window, the signature over the client's signed
 * headers (extra `x-acs-*` headers welcome, `host` with its port), STS tokens, and single-use nonces.
 *
 * @example
 * ```ts
 * const verifier = createAcs3Verifier({ now: () => clock.now(), lookup: (id) => keys.get(id) });
 * const result = verifier.verify(request);
 * if (!result.ok) reply(result.rejection.status, result.rejection);
 * ```
 */
export function createAcs3Verifier<Owner>(options: Acs3VerifierOptions<Owner>): Acs3Verifier<Owner> {
  const clockSkewMs = options.clockSkewMs ?? ACS3_CLOCK_SKEW_MS;
  /** `accessKeyId nonce` -> when it was seen (emulated epoch ms). */
  const seenNonces = new Map<string, number>();

  function forgetOldNonces(nowMs: number): void {
    for (const [key, seenAtMs] of seenNonces) {
      if (nowMs - seenAtMs <= 2 * clockSkewMs) break;
      seenNonces.delete(key);
    }
  }

  function verify(request: Acs3Request): Acs3Verification<Owner> {
    const authorization = parseAcs3Authorization(single(request, 'authorization'));
    if (!authorization) {
      return reject(
        400,
        'IncompleteSignature',
        'The request signature does not conform to Aliyun standards.',
      );
    }
    const found = options.lookup(authorization.accessKeyId);
    if (!found) {
      return reject(
        404,
        'InvalidAccessKeyId.NotFound',
        'The specified access key is not found or is invalid',
      );
    }
    const signed = new Set(authorization.signedHeaders);
    const mustSign = [...REQUIRED_SIGNED_HEADERS] as string[];
    for (const optional of ['content-type', 'x-acs-security-token', 'x-acs-accesskey-id']) {
      if (request.headers[optional] !== undefined) mustSign.push(optional);
    }
    const unsigned = mustSign.find((name) => !signed.has(name) || request.headers[name] === undefined);
    if (unsigned) {
      return reject(
        400,
        'IncompleteSignature',
        `The request signature does not conform to Aliyun standards. Header ${unsigned} must be sent and signed.`,
      );
    }
    // The gateway signs every x-acs-* header (spec §4 step 4): one sent but left out of SignedHeaders is refused.
    const unsignedAcs = Object.keys(request.headers).find(
      (name) => name.startsWith('x-acs-') && !signed.has(name),
    );
    if (unsignedAcs) {
      return reject(
        400,
        'IncompleteSignature',
        `The request signature does not conform to Aliyun standards. Header ${unsignedAcs} is sent but not signed.`,
      );
    }
    if (single(request, 'x-acs-content-sha256') !== request.bodySha256) {
      return reject(
        400,
        'IncompleteSignature',
        'The request signature does not conform to Aliyun standards. x-acs-content-sha256 does not match the body.',
      );
    }
    const date = single(request, 'x-acs-date') ?? '';
    const dateMs = DATE_PATTERN.test(date) ? Date.parse(date) : Number.NaN;
    if (Number.isNaN(dateMs)) {
      return reject(
        400,
        'InvalidTimeStamp.Format',
        'Specified time stamp or date value is not well formatted.',
      );
    }
    const nowMs = options.now();
    if (Math.abs(nowMs - dateMs) > clockSkewMs) {
      return reject(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    }
    const stringToSign = acs3StringToSign(acs3CanonicalRequest(request, authorization.signedHeaders));
    if (acs3Signature(found.credential.accessKeySecret, stringToSign) !== authorization.signature) {
      return reject(
        400,
        'SignatureDoesNotMatch',
        `Specified signature does not match our calculation. server string to sign is:${stringToSign}`,
      );
    }
    const token = single(request, 'x-acs-security-token');
    const expected = found.credential.securityToken;
    if (expected === undefined && token !== undefined) {
      return reject(400, 'InvalidSecurityToken.Malformed', 'Specified SecurityToken is malformed.');
    }
    if (expected !== undefined) {
      if (token === undefined) {
        return reject(400, 'InvalidSecurityToken.Missing', 'Specified SecurityToken is missing.');
      }
      if (token !== expected || single(request, 'x-acs-accesskey-id') !== authorization.accessKeyId) {
        return reject(
          400,
          'InvalidSecurityToken.MismatchWithAccessKey',
          'Specified SecurityToken mismatch with the AccessKey.',
        );
      }
      if (found.credential.expiresAtMs !== undefined && nowMs >= found.credential.expiresAtMs) {
        return reject(400, 'InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.');
      }
    }
    forgetOldNonces(nowMs);
    const nonceKey = `${authorization.accessKeyId} ${single(request, 'x-acs-signature-nonce')}`;
    if (seenNonces.has(nonceKey)) {
      return reject(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    }
    seenNonces.set(nonceKey, nowMs);
    return { ok: true, owner: found.owner, credential: found.credential };
  }

  return { verify };
}
