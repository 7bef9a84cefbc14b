import { createHash, type Hash } from 'node:crypto';

/** Hash algorithms this package computes. */
export type HashAlgorithm = 'md5' | 'sha1' | 'sha256';

/** A finished hash in the encodings the service asks for, with the number of bytes hashed. */
export interface Digest {
  /** Lowercase hex, as ApplyFileUploadLease and request signing want. */
  readonly hex: string;
  /** Base64, as a `Content-MD5` header wants. */
  readonly base64: string;
  /** How many bytes went into the hash. */
  readonly sizeBytes: number;
}

/** An incremental hash: feed it chunks as they stream past, then take the digest once. */
export interface Hasher {
  /** Adds bytes (or UTF-8 text) to the hash. */
  update(chunk: Uint8Array | string): Hasher;
  /** Finishes the hash. Calling `update` or `digest` afterwards throws. */
  digest(): Digest;
}

/**
 * Creates an incremental hasher for callers that hash while they stream.
 *
 * @param algorithm - `md5`, `sha1` or `sha256`.
 * @example
 * ```ts
 * const hasher = createHasher('md5');
 * for await (const chunk of stream) hasher.update(chunk);
 * const { hex, base64, sizeBytes } = hasher.digest();
 * ```
 */
export function createHasher(algorithm: HashAlgorithm): Hasher {
  const hash: Hash = createHash(algorithm);
  let sizeBytes = 0;
  const hasher: Hasher = {
    update(chunk) {
      sizeBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      hash.update(chunk);
      return hasher;
    },
    digest() {
      return toDigest(hash.digest(), sizeBytes);
    },
  };
  return hasher;
}

/** @internal */
export function toDigest(bytes: Buffer, sizeBytes: number): Digest {
  return { hex: bytes.toString('hex'), base64: bytes.toString('base64'), sizeBytes };
}
