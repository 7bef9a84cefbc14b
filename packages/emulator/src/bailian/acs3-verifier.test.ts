import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Acs3Request,
  acs3CanonicalQuery,
  acs3CanonicalRequest,
  acs3Signature,
  acs3StringToSign,
  createAcs3Verifier,
  parseAcs3Authorization,
} from './acs3-verifier.js';

interface Vector {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly signature: string;
  readonly contentSha256?: string;
  readonly stringToSignHash?: string;
  readonly canonicalQuery?: string;
}

const { vectors } = JSON.parse(
  readFileSync(new URL('../../test/fixtures/bailian/acs3-vectors.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

describe('ACS3-HMAC-SHA256 signature vectors', () => {
  it.each(vectors)('$name', (vector) => {
    const bodySha256 = createHash('sha256').update(vector.body).digest('hex');
    if (vector.contentSha256) expect(bodySha256).toBe(vector.contentSha256);
    const headers: Record<string, string[]> = { 'x-acs-content-sha256': [bodySha256] };
    for (const [name, value] of Object.entries(vector.headers)) headers[name] = [value];
    const received: Acs3Request = {
      method: vector.method,
      path: vector.path,
      query: vector.query,
      headers,
      bodySha256,
    };
    const signedHeaders = Object.keys(headers).sort();
    const stringToSign = acs3StringToSign(acs3CanonicalRequest(received, signedHeaders));
    if (vector.stringToSignHash) expect(stringToSign).toBe(`ACS3-HMAC-SHA256\n${vector.stringToSignHash}`);
    if (vector.canonicalQuery) expect(acs3CanonicalQuery(vector.query)).toBe(vector.canonicalQuery);
    expect(acs3Signature(vector.accessKeySecret, stringToSign)).toBe(vector.signature);

    const dateMs = Date.parse(vector.headers['x-acs-date'] ?? '');
    const securityToken = vector.headers['x-acs-security-token'];
    const verifier = createAcs3Verifier({
      now: () => dateMs + 60_000,
      lookup: (accessKeyId) =>
        accessKeyId === vector.accessKeyId
          ? {
              owner: 'tester',
              credential: {
                accessKeyId,
                accessKeySecret: vector.accessKeySecret,
                ...(securityToken ? { securityToken } : {}),
              },
            }
          : undefined,
    });
    const authorization = `ACS3-HMAC-SHA256 Credential=${vector.accessKeyId},SignedHeaders=${signedHeaders.join(';')},Signature=${vector.signature}`;
    const signed = { ...received, headers: { ...headers, authorization: [authorization] } };
    expect(verifier.verify(signed)).toMatchObject({ ok: true, owner: 'tester' });
    expect(verifier.verify(signed)).toEqual({
      ok: false,
      rejection: {
        status: 400,
        code: 'SignatureNonceUsed',
        message: 'Specified signature nonce was used already.',
      },
    });
  });
});

describe('createAcs3Verifier', () => {
  const vector = vectors.find((candidate) => candidate.name === 'V1 AddFile');
  if (!vector) throw new Error('vector V1 missing');
  const dateMs = Date.parse('2025-01-01T00:00:00Z');
  const bodySha256 = createHash('sha256').update(vector.body).digest('hex');
  const headers: Record<string, string[]> = { 'x-acs-content-sha256': [bodySha256] };
  for (const [name, value] of Object.entries(vector.headers)) headers[name] = [value];
  const signedHeaders = Object.keys(headers).sort().join(';');
  const request = (overrides: Record<string, string[]> = {}): Acs3Request => ({
    method: vector.method,
    path: vector.path,
    query: vector.query,
    bodySha256,
    headers: {
      ...headers,
      authorization: [
        `ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=${signedHeaders},Signature=${vector.signature}`,
      ],
      ...overrides,
    },
  });
  const verifier = (nowMs: number) =>
    createAcs3Verifier({
      now: () => nowMs,
      lookup: (accessKeyId) =>
        accessKeyId === 'testid'
          ? { owner: 'tester', credential: { accessKeyId, accessKeySecret: 'testsecret' } }
          : undefined,
    });

  it('accepts x-acs-date up to 15 minutes either way, and not beyond', () => {
    expect(verifier(dateMs + 15 * 60_000).verify(request()).ok).toBe(true);
    expect(verifier(dateMs - 15 * 60_000).verify(request()).ok).toBe(true);
    expect(verifier(dateMs + 15 * 60_000 + 1000).verify(request())).toMatchObject({
      ok: false,
      rejection: { code: 'InvalidTimeStamp.Expired' },
    });
  });

  it('refuses requests that leave a required header unsigned', () => {
    const unsigned = signedHeaders.replace('x-acs-signature-nonce;', '');
    const result = verifier(dateMs).verify(
      request({
        authorization: [
          `ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=${unsigned},Signature=${vector.signature}`,
        ],
      }),
    );
    expect(result).toMatchObject({
      ok: false,
      rejection: {
        status: 400,
        code: 'IncompleteSignature',
        message:
          'The request signature does not conform to Aliyun standards. Header x-acs-signature-nonce must be sent and signed.',
      },
    });
  });

  it('parses only well-formed Authorization headers', () => {
    expect(
      parseAcs3Authorization('ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;x-acs-date,Signature=0f'),
    ).toEqual({
      accessKeyId: 'a',
      signedHeaders: ['host', 'x-acs-date'],
      signature: '0f',
    });
    expect(
      parseAcs3Authorization('ACS3-HMAC-SHA256 Credential=a, SignedHeaders=host,Signature=0f'),
    ).toBeUndefined();
    expect(parseAcs3Authorization(undefined)).toBeUndefined();
  });
});
