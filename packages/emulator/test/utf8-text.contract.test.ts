import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BailianLease, BailianObject } from '../src/bailian/bailian-state.js';
import { handleLeaseUpload, UPLOAD_BUCKET, UPLOAD_PATH_PREFIX } from '../src/bailian/lease-upload.js';
import { createEmulator, type Emulator } from '../src/create-emulator.js';
import { headerText } from '../src/utf8-text.js';
import { signedRequest } from './support/acs3-request.js';
import { type PolicyData, policyFields } from './support/oss.js';

/**
 * Every surface of the emulator reads text that arrives as bytes (multipart field values and part parameters, header
 * values) as UTF-8, the same way: CJK, accented (NFC) and decomposed (NFD) names come back exactly as sent, byte for
 * byte, never normalized and never read as Latin-1.
 */
const names = [
  ['CJK', '报告 年度.pdf'],
  ['accented (NFC)', 'résumé café.pdf'],
  ['decomposed (NFD)', 're\u0301sume\u0301 cafe\u0301.pdf'],
] as const;

/** One file part whose Content-Disposition carries `filename`, raw UTF-8 or as RFC 5987 `filename*`. */
function formBody(fields: [string, string][], filename: string, form: 'raw' | 'rfc5987', content: Buffer) {
  const boundary = `----utf8${randomBytes(8).toString('hex')}`;
  const parameter =
    form === 'raw' ? `filename="${filename}"` : `filename*=UTF-8''${encodeURIComponent(filename)}`;
  const body = Buffer.concat([
    Buffer.from(
      fields
        .map(
          ([name, value]) =>
            `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
        )
        .join('') +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; ${parameter}\r\nContent-Type: application/pdf\r\n\r\n`,
      'utf8',
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { contentType: `multipart/form-data; boundary=${boundary}`, body };
}

const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');

describe('headerText, the shared decoder', () => {
  it('reads the UTF-8 bytes behind a header value, leaves ASCII alone, and never normalizes', () => {
    for (const [, name] of names) expect(headerText(Buffer.from(name, 'utf8').toString('latin1'))).toBe(name);
    expect(headerText('plain ascii; q=1')).toBe('plain ascii; q=1');
    const nfd = 're\u0301sume\u0301';
    expect(headerText(Buffer.from(nfd).toString('latin1'))).toBe(nfd);
    expect(headerText(Buffer.from(nfd).toString('latin1'))).not.toBe(nfd.normalize('NFC'));
    // Bytes that are not UTF-8 become U+FFFD, as in the multipart parsers.
    expect(headerText('caf\u00e9')).toBe('caf\ufffd');
  });
});

describe('every emulator surface reads names as UTF-8', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ limits: { isRateLimited: false } });
  });
  afterAll(() => emulator.close());

  describe.each(['raw', 'rfc5987'] as const)('multipart file names (%s filename parameter)', (form) => {
    it.each(names)('Files API upload keeps the file name: %s', async (_kind, name) => {
      const { contentType, body } = formBody([['purpose', 'file-extract']], name, form, pdf);
      const response = await request(`${emulator.url}/compatible-mode/v1/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${emulator.account.apiKey}`, 'content-type': contentType },
        body,
      });
      const file = (await response.body.json()) as { filename: string };
      expect(response.statusCode).toBe(200);
      expect(file.filename).toBe(name);
    });

    it.each(names)(
      'temporary storage PostObject keys the object by the file name: %s',
      async (_kind, name) => {
        const policy = await fetch(`${emulator.url}/api/v1/uploads?action=getPolicy&model=qwen-vl-plus`, {
          headers: { authorization: `Bearer ${emulator.account.apiKey}` },
        });
        const data = ((await policy.json()) as { data: PolicyData }).data;
        // biome-ignore lint/suspicious/noTemplateCurlyInString: OSS's own `${filename}` key variable, not a template.
        const { contentType, body } = formBody(policyFields(data, '${filename}'), name, form, pdf);
        const response = await request(data.upload_host, {
          method: 'POST',
          headers: { 'content-type': contentType },
          body,
        });
        await response.body.text();
        expect(response.statusCode).toBe(200);
        expect(emulator.state.dashscope.objects).toContainEqual(
          expect.objectContaining({ key: `${data.upload_dir}/${name}` }),
        );
      },
    );
  });

  it.each(names)(
    'Bailian ACS3: a signed x-acs-* header value is read as the UTF-8 the client signed: %s',
    async (_kind, name) => {
      const answer = await signedRequest(emulator, {
        method: 'GET',
        path: `/${emulator.account.workspaceId}/datacenter/files`,
        action: 'ListFile',
        query: 'CategoryId=default',
        textHeaders: { 'x-acs-client-note': name },
      });
      expect(answer.json).toMatchObject({ Success: true });
      expect(answer.status).toBe(200);
    },
  );

  it.each(names)(
    'Bailian ApplyFileUploadLease keeps a FileName sent in the form: %s',
    async (_kind, name) => {
      const form = new URLSearchParams({
        CategoryType: 'UNSTRUCTURED',
        FileName: name,
        Md5: 'a'.repeat(32),
        SizeInBytes: '16',
      });
      const answer = await signedRequest(emulator, {
        method: 'POST',
        path: `/${emulator.account.workspaceId}/datacenter/category/default`,
        action: 'ApplyFileUploadLease',
        body: form.toString(),
      });
      expect(answer.json).toMatchObject({ Success: true });
      const leaseId = (answer.json.Data as { FileUploadLeaseId: string }).FileUploadLeaseId;
      expect(emulator.state.bailian.leases.get(leaseId)?.fileName).toBe(name);
    },
  );
});

describe('Bailian lease PUT reads its header values as UTF-8', () => {
  const signingKey = { accessKeyId: 'upload-ak', accessKeySecret: 'upload-secret' };
  const key = '1005/llm-x/lease.pdf';
  const extra = Buffer.from('1005426495169178').toString('base64');
  let server: Server;
  let origin: string;
  let objectsDir: string;
  const saved: BailianObject[] = [];

  beforeAll(async () => {
    objectsDir = await mkdtemp(join(tmpdir(), 'emulator-utf8-'));
    const lease = { fileName: 'lease.pdf', headers: { 'X-bailian-extra': extra, 'Content-Type': '' } };
    server = createServer((incoming, response) => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      void handleLeaseUpload(incoming, response, url, {
        now: () => Date.now(),
        objectsDir,
        signingKey,
        leaseForKey: (candidate) => (candidate === key ? (lease as unknown as BailianLease) : undefined),
        onLease: () => {},
        saveObject: (object) => saved.push(object),
        requireContentLength: false,
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    origin = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(objectsDir, { recursive: true, force: true });
  });

  it.each(names)(
    'accepts a URL signed over an x-oss-meta-* header and a Content-Type holding %s',
    async (_kind, name) => {
      const expires = String(Math.floor(Date.now() / 1000) + 600);
      const contentType = `application/pdf; name="${name}"`;
      // The OSS V1 string to sign, computed here independently: HMAC-SHA1 over its UTF-8 bytes.
      const stringToSign = `PUT\n\n${contentType}\n${expires}\nx-oss-meta-title:${name}\n/${UPLOAD_BUCKET}/${key}`;
      const signature = createHmac('sha1', signingKey.accessKeySecret)
        .update(stringToSign, 'utf8')
        .digest('base64');
      const url = `${origin}${UPLOAD_PATH_PREFIX}${key}?Expires=${expires}&OSSAccessKeyId=${signingKey.accessKeyId}&Signature=${encodeURIComponent(signature)}`;
      const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
      const response = await request(url, {
        method: 'PUT',
        headers: {
          'content-type': utf8(contentType),
          'x-oss-meta-title': utf8(name),
          'x-bailian-extra': extra,
          'content-length': String(pdf.length),
        },
        body: Readable.from([pdf]),
      });
      const text = await response.body.text();
      expect(text).toBe('');
      expect(response.statusCode).toBe(200);
      expect(saved.at(-1)?.contentType).toBe(contentType);
    },
  );
});
