import { readFileSync } from 'node:fs';
import OSS from 'ali-oss';
import { describe, expect, it } from 'vitest';
import { presignUploadUrl, UPLOAD_BUCKET } from './lease-upload.js';
import { ossV1Signature, ossV1StringToSign } from './oss-v1-signature.js';

interface OssVector {
  readonly name: string;
  readonly method: string;
  readonly contentType: string;
  readonly headers: Record<string, string>;
  readonly query: string;
  readonly stringToSign: string;
  readonly signature: string;
}

/** The slice of ali-oss's client this test uses (the package ships no types). */
type SignatureUrlClient = new (options: {
  accessKeyId: string;
  accessKeySecret: string;
  bucket: string;
  endpoint: string;
}) => { signatureUrl(name: string, options: Record<string, unknown>): string };

const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/bailian/oss-v1-vectors.json', import.meta.url), 'utf8'),
) as { accessKeySecret: string; bucket: string; key: string; expires: string; vectors: OssVector[] };

describe('OSS V1 query-string signature', () => {
  it.each(fixture.vectors)('$name matches ali-oss', (vector) => {
    const stringToSign = ossV1StringToSign({
      method: vector.method,
      contentMd5: '',
      contentType: vector.contentType,
      expires: fixture.expires,
      headers: vector.headers,
      bucket: fixture.bucket,
      key: fixture.key,
      query: new URLSearchParams(vector.query),
    });
    expect(stringToSign).toBe(vector.stringToSign);
    expect(ossV1Signature(fixture.accessKeySecret, stringToSign)).toBe(vector.signature);
  });

  it('signs lease URLs exactly as ali-oss signatureUrl does', () => {
    const key = '1005426495169178/llm-emulator/68abd1dea7b6404d8f7d7b9f7fbd332d.1716698936847.pdf';
    const signingKey = { accessKeyId: 'EMULATOR-AK-UPLOAD', accessKeySecret: 'emulator-upload-secret' };
    const client = new (OSS as unknown as SignatureUrlClient)({
      accessKeyId: signingKey.accessKeyId,
      accessKeySecret: signingKey.accessKeySecret,
      bucket: UPLOAD_BUCKET,
      endpoint: 'oss-cn-beijing.aliyuncs.com',
    });
    const official = new URL(
      client.signatureUrl(key, { method: 'PUT', expires: 600, 'Content-Type': 'application/pdf' }),
    );
    const expires = Number(official.searchParams.get('Expires'));
    const ours = new URL(
      presignUploadUrl('http://127.0.0.1:8080', key, 'application/pdf', expires, signingKey),
    );
    expect(ours.pathname).toBe(`/bailian-upload${official.pathname}`);
    expect(ours.searchParams.get('OSSAccessKeyId')).toBe(signingKey.accessKeyId);
    expect(ours.searchParams.get('Signature')).toBe(official.searchParams.get('Signature'));
  });
});
