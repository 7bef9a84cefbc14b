import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import * as bailian from '@alicloud/bailian20231229';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BailianState } from '../src/bailian/bailian-state.js';
import { createEmulator, type Emulator, type EmulatorOptions } from '../src/create-emulator.js';
import type { EmulatorAccount } from '../src/surface.js';
import { signedRequest } from './support/acs3-request.js';

/** The SDK is CommonJS with `exports.default`: Node's ESM puts the class one level down, vitest's interop does not. */
const sdkExport = bailian.default as unknown as { default?: unknown };
const BailianClientClass = (
  typeof sdkExport === 'function' ? sdkExport : sdkExport.default
) as typeof bailian.default.default;
type BailianClient = InstanceType<typeof BailianClientClass>;

const other: EmulatorAccount = {
  name: 'other',
  apiKey: 'sk-emulator-other-0000000000000000',
  accessKeyId: 'EMULATOR-AK-OTHER-0',
  accessKeySecret: 'emulator-other-secret-not-a-real-one',
  workspaceId: 'llm-other',
  categoryId: 'cate_emulator_other',
};

const md5Hex = (data: string | Uint8Array) => createHash('md5').update(data).digest('hex');
const pdfBytes = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);
const startMs = Date.now();

async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return createEmulator({ clock: { startMs, isFrozen: true }, accounts: [other], ...options });
}

function bailianState(emulator: Emulator): BailianState {
  return emulator.state.bailian as BailianState;
}

function sdkClient(
  emulator: Emulator,
  credentials: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string } = {},
): BailianClient {
  return new BailianClientClass(
    new $OpenApiUtil.Config({
      accessKeyId: credentials.accessKeyId ?? emulator.account.accessKeyId,
      accessKeySecret: credentials.accessKeySecret ?? emulator.account.accessKeySecret,
      ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
      endpoint: new URL(emulator.url).host,
      protocol: 'http',
      readTimeout: 20_000,
      connectTimeout: 20_000,
    }),
  );
}

/** What the SDK throws for a 4xx/5xx answer: status, code and the service's own message. */
async function sdkRejection(
  promise: Promise<unknown>,
): Promise<{ statusCode: number; code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as { statusCode?: number; code?: string; data?: { Message?: string } };
    return {
      statusCode: failure.statusCode ?? 0,
      code: failure.code ?? '',
      message: failure.data?.Message ?? '',
    };
  }
  throw new Error('Expected the call to be rejected');
}

async function applyLease(
  client: BailianClient,
  emulator: Emulator,
  fileName: string,
  content: Uint8Array,
  overrides: { md5?: string; sizeInBytes?: string; workspaceId?: string } = {},
) {
  const response = await client.applyFileUploadLease(
    'default',
    overrides.workspaceId ?? emulator.account.workspaceId,
    new bailian.ApplyFileUploadLeaseRequest({
      fileName,
      md5: overrides.md5 ?? md5Hex(content),
      sizeInBytes: overrides.sizeInBytes ?? String(content.byteLength),
      categoryType: 'UNSTRUCTURED',
    }),
  );
  const data = response.body?.data;
  const parameters = data?.param;
  if (!data?.fileUploadLeaseId || !parameters?.url) throw new Error('lease without an ID or URL');
  return {
    leaseId: data.fileUploadLeaseId,
    method: parameters.method ?? '',
    url: parameters.url,
    headers: leaseHeaders(parameters.headers),
  };
}

/** Reads `Data.Param.Headers` in every form the service sends: an object, a JSON string or a `"k": "v", ...` fragment. */
function leaseHeaders(headers: unknown): Record<string, string> {
  if (typeof headers === 'object' && headers !== null) return headers as Record<string, string>;
  const text = String(headers).trim();
  return JSON.parse(text.startsWith('{') ? text : `{${text}}`) as Record<string, string>;
}

async function put(url: string, headers: Record<string, string>, body: string | Uint8Array) {
  const response = await request(url, { method: 'PUT', headers, body });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

function addFile(client: BailianClient, emulator: Emulator, leaseId: string, tags?: string[]) {
  return client.addFile(
    emulator.account.workspaceId,
    new bailian.AddFileRequest({
      leaseId,
      parser: 'DASHSCOPE_DOCMIND',
      categoryId: 'default',
      categoryType: 'UNSTRUCTURED',
      ...(tags ? { tags } : {}),
    }),
  );
}

describe('Bailian data API with the official @alicloud/bailian20231229 client', () => {
  let emulator: Emulator;
  let client: BailianClient;

  beforeAll(async () => {
    emulator = await startEmulator();
    client = sdkClient(emulator);
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(() => {
    emulator.reset();
  });

  it('runs ApplyFileUploadLease -> PUT -> AddFile -> DescribeFile to PARSE_SUCCESS', async () => {
    const lease = await applyLease(client, emulator, 'guide.pdf', pdfBytes);
    expect(lease.method).toBe('PUT');
    expect(lease.leaseId).toMatch(/^[0-9a-f]{32}\.\d+$/);
    const url = new URL(lease.url);
    expect(url.origin).toBe(emulator.url);
    expect(url.pathname.startsWith('/bailian-upload/')).toBe(true);
    expect(Number(url.searchParams.get('Expires')) * 1000).toBe(
      Math.floor((startMs + 600_000) / 1000) * 1000,
    );
    expect(url.searchParams.get('OSSAccessKeyId')).toBeTruthy();
    expect(lease.headers['Content-Type']).toBe('application/pdf');
    expect(Buffer.from(lease.headers['X-bailian-extra'] ?? '', 'base64').toString()).toMatch(/^\d{16}$/);

    const upload = await put(lease.url, lease.headers, pdfBytes);
    expect(upload.status).toBe(200);
    expect(upload.headers.etag).toBe(`"${md5Hex(pdfBytes).toUpperCase()}"`);

    const added = await addFile(client, emulator, lease.leaseId, ['产品介绍', 'v1_draft-2']);
    expect(added.statusCode).toBe(200);
    expect(added.body?.success).toBe('true');
    const fileId = added.body?.data?.fileId ?? '';
    expect(fileId).toMatch(/^file_[0-9a-f]{32}_\d+$/);
    expect(added.body?.data?.parser).toBe('DASHSCOPE_DOCMIND');

    const statuses: string[] = [];
    for (const stepMs of [0, 600, 600, 1000]) {
      emulator.clock.advance(stepMs);
      const described = await client.describeFile(
        emulator.account.workspaceId,
        fileId,
        new bailian.DescribeFileRequest({}),
      );
      statuses.push(described.body?.data?.status ?? '');
      if (described.body?.data?.status === 'PARSE_SUCCESS') {
        expect(described.body.data).toMatchObject({
          fileId,
          fileName: 'guide.pdf',
          fileType: 'pdf',
          sizeInBytes: pdfBytes.byteLength,
          categoryId: emulator.account.categoryId,
          tags: ['产品介绍', 'v1_draft-2'],
        });
        expect(described.body.data.createTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      }
    }
    expect(statuses).toEqual(['INIT', 'IN_PARSE_QUEUE', 'PARSING', 'PARSE_SUCCESS']);
    const addFileCalls = emulator.calls.filter((call) => call.route === 'AddFile');
    expect(addFileCalls).toHaveLength(1);
    expect(addFileCalls[0]?.account).toBe('default');
  });

  it('rejects the same call signed with a wrong secret', async () => {
    const leasesBefore = bailianState(emulator).leases.size;
    const wrong = sdkClient(emulator, { accessKeySecret: 'not-the-secret' });
    const failure = await sdkRejection(applyLease(wrong, emulator, 'guide.pdf', pdfBytes));
    expect(failure.statusCode).toBe(400);
    expect(failure.code).toBe('SignatureDoesNotMatch');
    expect(failure.message).toMatch(
      /^Specified signature does not match our calculation\. server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}$/,
    );
    expect(bailianState(emulator).leases.size).toBe(leasesBefore);
  });

  it('rejects a body that does not match x-acs-content-sha256', async () => {
    const tampered = await signedRequest(emulator, {
      method: 'POST',
      path: `/${emulator.account.workspaceId}/datacenter/categories`,
      action: 'ListCategory',
      body: 'CategoryType=UNSTRUCTURED',
      extraHeaders: {
        'x-acs-content-sha256': createHash('sha256').update('CategoryType=SESSION_FILE').digest('hex'),
      },
    });
    expect(tampered.status).toBe(400);
    expect(tampered.json).toMatchObject({
      Code: 'IncompleteSignature',
      Message:
        'The request signature does not conform to Aliyun standards. x-acs-content-sha256 does not match the body.',
    });
  });

  it('rejects an unknown AccessKey with the documented message', async () => {
    const failure = await sdkRejection(
      applyLease(
        sdkClient(emulator, { accessKeyId: 'EMULATOR-AK-UNKNOWN', accessKeySecret: 'x' }),
        emulator,
        'guide.pdf',
        pdfBytes,
      ),
    );
    expect(failure).toEqual({
      statusCode: 404,
      code: 'InvalidAccessKeyId.NotFound',
      message: 'The specified access key is not found or is invalid',
    });
  });

  it('rejects a workspace the AccessKey does not belong to with the documented message', async () => {
    const failure = await sdkRejection(
      applyLease(client, emulator, 'guide.pdf', pdfBytes, { workspaceId: other.workspaceId }),
    );
    expect(failure).toEqual({
      statusCode: 403,
      code: 'Index.NoWorkspacePermissions',
      message: 'You are not authorized to access this workspace, or the workspace does not exist',
    });
    const unknown = await sdkRejection(
      applyLease(client, emulator, 'guide.pdf', pdfBytes, { workspaceId: 'llm-nope' }),
    );
    expect(unknown.code).toBe('Index.NoWorkspacePermissions');
  });

  it('rejects an x-acs-date more than 15 minutes from the server clock', async () => {
    emulator.clock.advance(16 * 60_000);
    const failure = await sdkRejection(applyLease(client, emulator, 'guide.pdf', pdfBytes));
    expect(failure).toEqual({
      statusCode: 400,
      code: 'InvalidTimeStamp.Expired',
      message: 'Specified time stamp or date value is expired.',
    });
    emulator.clock.advance(-2 * 60_000);
    await expect(applyLease(client, emulator, 'guide.pdf', pdfBytes)).resolves.toMatchObject({
      method: 'PUT',
    });
  });

  it('rejects a replayed nonce and accepts extra signed x-acs-* headers', async () => {
    const call = {
      method: 'POST',
      path: `/${emulator.account.workspaceId}/datacenter/categories`,
      action: 'ListCategory',
      body: 'CategoryType=UNSTRUCTURED&MaxResults=20',
      nonce: 'aa'.repeat(32),
      extraHeaders: { 'x-acs-credentials-provider': 'static_ak', 'x-acs-trace-id': 'trace-1' },
    };
    const first = await signedRequest(emulator, call);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ Success: true, Code: 'Success', Status: '200' });
    const replay = await signedRequest(emulator, call);
    expect(replay.status).toBe(400);
    expect(replay.json).toMatchObject({
      Code: 'SignatureNonceUsed',
      Message: 'Specified signature nonce was used already.',
    });
    expect(replay.json.RequestId).toEqual(expect.any(String));
  });

  it('accepts STS credentials minted for the account and refuses them once expired', async () => {
    const sts = bailianState(emulator).mintStsCredentials({ durationMs: 5 * 60_000 });
    const temporary = sdkClient(emulator, sts);
    await expect(applyLease(temporary, emulator, 'notes.txt', Buffer.from('hello'))).resolves.toMatchObject({
      method: 'PUT',
    });
    const withoutToken = sdkClient(emulator, {
      accessKeyId: sts.accessKeyId,
      accessKeySecret: sts.accessKeySecret,
    });
    expect(await sdkRejection(applyLease(withoutToken, emulator, 'notes.txt', Buffer.from('hello')))).toEqual(
      {
        statusCode: 400,
        code: 'InvalidSecurityToken.Missing',
        message: 'Specified SecurityToken is missing.',
      },
    );
    emulator.clock.advance(6 * 60_000);
    expect(await sdkRejection(applyLease(temporary, emulator, 'notes.txt', Buffer.from('hello')))).toEqual({
      statusCode: 400,
      code: 'InvalidSecurityToken.Expired',
      message: 'Specified SecurityToken is expired.',
    });
  });

  it('answers a wrong method or a missing trailing slash with InvalidAction.NotFound', async () => {
    const noSlash = await signedRequest(emulator, {
      method: 'GET',
      path: `/${emulator.account.workspaceId}/datacenter/file/file_1`,
      action: 'DescribeFile',
    });
    expect(noSlash.status).toBe(404);
    expect(noSlash.json).toMatchObject({
      Code: 'InvalidAction.NotFound',
      Message: 'Specified api is not found, please check your url and method.',
    });
  });

  it('consumes a lease once', async () => {
    const lease = await applyLease(client, emulator, 'guide.pdf', pdfBytes);
    expect((await put(lease.url, lease.headers, pdfBytes)).status).toBe(200);
    await addFile(client, emulator, lease.leaseId);
    expect(await sdkRejection(addFile(client, emulator, lease.leaseId))).toEqual({
      statusCode: 400,
      code: 'InvalidParameter',
      message: 'Required parameter(LeaseId) missing or invalid, please check the request parameters.',
    });
  });

  it('validates AddFile tags without consuming the lease', async () => {
    const lease = await applyLease(client, emulator, 'guide.pdf', pdfBytes);
    expect((await put(lease.url, lease.headers, pdfBytes)).status).toBe(200);
    const invalidTags = {
      statusCode: 400,
      code: 'InvalidParameter',
      message: 'Required parameter(Tags) missing or invalid, please check the request parameters.',
    };
    const tooMany = Array.from({ length: 33 }, (_, index) => `t${index}`);
    expect(await sdkRejection(addFile(client, emulator, lease.leaseId, tooMany))).toEqual(invalidTags);
    expect(await sdkRejection(addFile(client, emulator, lease.leaseId, ['a'.repeat(33)]))).toEqual(
      invalidTags,
    );
    expect(await sdkRejection(addFile(client, emulator, lease.leaseId, ['tag 2']))).toEqual(invalidTags);
    expect(bailianState(emulator).leases.get(lease.leaseId)?.consumedAtMs).toBeUndefined();
    expect((await addFile(client, emulator, lease.leaseId, tooMany.slice(0, 32))).statusCode).toBe(200);
  });

  it('refuses AddFile when nothing was uploaded, or the MD5 or size differ from the lease', async () => {
    const uploadFailed = {
      statusCode: 400,
      code: 'InvalidParameter',
      message: 'Access to your uploaded file failed. Please check if your upload action was successful',
    };
    const missing = await applyLease(client, emulator, 'guide.pdf', pdfBytes);
    expect(await sdkRejection(addFile(client, emulator, missing.leaseId))).toEqual(uploadFailed);

    const wrongMd5 = await applyLease(client, emulator, 'guide.pdf', pdfBytes, {
      md5: md5Hex('something else'),
    });
    expect((await put(wrongMd5.url, wrongMd5.headers, pdfBytes)).status).toBe(200);
    expect(await sdkRejection(addFile(client, emulator, wrongMd5.leaseId))).toEqual(uploadFailed);

    const wrongSize = await applyLease(client, emulator, 'guide.pdf', pdfBytes, {
      sizeInBytes: String(pdfBytes.byteLength + 1),
    });
    expect((await put(wrongSize.url, wrongSize.headers, pdfBytes)).status).toBe(200);
    expect(await sdkRejection(addFile(client, emulator, wrongSize.leaseId))).toEqual(uploadFailed);

    // A failed AddFile leaves the lease usable: upload the right bytes and try again.
    expect((await put(missing.url, missing.headers, pdfBytes)).status).toBe(200);
    expect((await addFile(client, emulator, missing.leaseId)).statusCode).toBe(200);
  });

  it('refuses an expired PUT URL', async () => {
    const lease = await applyLease(client, emulator, 'guide.pdf', pdfBytes);
    emulator.clock.advance(601_000);
    const upload = await put(lease.url, lease.headers, pdfBytes);
    expect(upload.status).toBe(403);
    expect(upload.headers['content-type']).toBe('application/xml');
    expect(upload.text).toContain('<Code>AccessDenied</Code>');
    expect(upload.text).toContain('<Message>Request has expired.</Message>');
  });

  it('refuses a PUT without the exact lease headers', async () => {
    const objectsBefore = bailianState(emulator).objects.size;
    const lease = await applyLease(client, emulator, 'guide.pdf', pdfBytes);
    const wrongType = await put(
      lease.url,
      { ...lease.headers, 'Content-Type': 'application/pdf; charset=utf-8' },
      pdfBytes,
    );
    expect(wrongType.status).toBe(403);
    expect(wrongType.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(wrongType.text).toContain(
      '<Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message>',
    );
    expect(wrongType.text).not.toContain(new URL(lease.url).searchParams.get('Signature') ?? '');

    const noExtra = await put(lease.url, { 'Content-Type': 'application/pdf' }, pdfBytes);
    expect(noExtra.status).toBe(403);
    expect(noExtra.text).toContain('<Code>AccessDenied</Code>');
    expect(noExtra.text).toContain(
      '<Message>The X-bailian-extra header is missing or does not match the upload lease.</Message>',
    );

    const tampered = new URL(lease.url);
    tampered.searchParams.set('Expires', String(Number(tampered.searchParams.get('Expires')) + 60));
    const longer = await put(tampered.toString(), lease.headers, pdfBytes);
    expect(longer.status).toBe(403);
    expect(longer.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(bailianState(emulator).objects.size).toBe(objectsBefore);
  });

  it('throttles AddFile above 10 calls per second', async () => {
    const results = await Promise.all(
      Array.from({ length: 11 }, () => sdkRejection(addFile(client, emulator, 'no-such-lease.1'))),
    );
    const throttled = results.filter((result) => result.statusCode === 429);
    expect(throttled).toEqual([
      { statusCode: 429, code: 'DataCenter.Throttling', message: 'Requests throttling triggered.' },
    ]);
    expect(results.filter((result) => result.code === 'InvalidParameter')).toHaveLength(10);
    emulator.clock.advance(1000);
    expect(await sdkRejection(addFile(client, emulator, 'no-such-lease.1'))).toMatchObject({
      code: 'InvalidParameter',
    });
  });

  it('reports PARSE_FAILED with a message for a .pdf that is not a PDF', async () => {
    const text = Buffer.from('this is not a pdf');
    const lease = await applyLease(client, emulator, 'broken.pdf', text);
    expect((await put(lease.url, lease.headers, text)).status).toBe(200);
    const fileId = (await addFile(client, emulator, lease.leaseId)).body?.data?.fileId ?? '';
    emulator.clock.advance(5000);
    const described = await signedRequest(emulator, {
      method: 'GET',
      path: `/${emulator.account.workspaceId}/datacenter/file/${fileId}/`,
      action: 'DescribeFile',
    });
    expect(described.json.Data).toMatchObject({
      Status: 'PARSE_FAILED',
      ParseErrorMessage: 'document parse error: broken.pdf is not a valid pdf document',
    });
  });

  it('lists, tags and deletes files, and manages categories', async () => {
    const category = await client.addCategory(
      emulator.account.workspaceId,
      new bailian.AddCategoryRequest({ categoryName: 'docs', categoryType: 'UNSTRUCTURED' }),
    );
    const categoryId = category.body?.data?.categoryId ?? '';
    expect(categoryId).toMatch(/^cate_[0-9a-f]{32}_\d+$/);

    const fileIds: string[] = [];
    for (const name of ['a.txt', 'b.txt', 'c.txt']) {
      const content = Buffer.from(`text of ${name}`);
      const lease = await client.applyFileUploadLease(
        categoryId,
        emulator.account.workspaceId,
        new bailian.ApplyFileUploadLeaseRequest({
          fileName: name,
          md5: md5Hex(content),
          sizeInBytes: String(content.length),
        }),
      );
      const parameters = lease.body?.data?.param;
      expect((await put(parameters?.url ?? '', leaseHeaders(parameters?.headers), content)).status).toBe(200);
      const added = await client.addFile(
        emulator.account.workspaceId,
        new bailian.AddFileRequest({
          leaseId: lease.body?.data?.fileUploadLeaseId ?? '',
          parser: 'DASHSCOPE_DOCMIND',
          categoryId,
        }),
      );
      fileIds.push(added.body?.data?.fileId ?? '');
    }
    emulator.clock.advance(1500);
    expect(
      await sdkRejection(
        client.deleteFile(fileIds[0] ?? '', emulator.account.workspaceId, new bailian.DeleteFileRequest({})),
      ),
    ).toEqual({
      statusCode: 400,
      code: 'InvalidParameter',
      message: 'Current file status does not support delete.',
    });
    emulator.clock.advance(1500);

    const firstPage = await client.listFile(
      emulator.account.workspaceId,
      new bailian.ListFileRequest({ categoryId, maxResults: 2 }),
    );
    expect(firstPage.body?.data?.fileList?.map((file) => file.fileId)).toEqual(fileIds.slice(0, 2));
    expect(firstPage.body?.data).toMatchObject({ hasNext: true, maxResults: 2, totalCount: 3 });
    const secondPage = await client.listFile(
      emulator.account.workspaceId,
      new bailian.ListFileRequest({
        categoryId,
        maxResults: 2,
        nextToken: firstPage.body?.data?.nextToken ?? '',
      }),
    );
    expect(secondPage.body?.data?.fileList?.map((file) => file.fileId)).toEqual(fileIds.slice(2));
    expect(secondPage.body?.data).toMatchObject({ hasNext: false, nextToken: '' });
    const byName = await client.listFile(
      emulator.account.workspaceId,
      new bailian.ListFileRequest({ categoryId, fileName: 'b' }),
    );
    expect(byName.body?.data?.fileList?.map((file) => file.fileId)).toEqual([fileIds[1]]);

    await client.updateFileTag(
      emulator.account.workspaceId,
      fileIds[0] ?? '',
      new bailian.UpdateFileTagRequest({ tags: ['reviewed'] }),
    );
    expect(bailianState(emulator).files.get(fileIds[0] ?? '')?.tags).toEqual(['reviewed']);
    expect(
      await sdkRejection(
        client.updateFileTag(
          emulator.account.workspaceId,
          fileIds[0] ?? '',
          new bailian.UpdateFileTagRequest({ tags: ['has space'] }),
        ),
      ),
    ).toEqual({
      statusCode: 400,
      code: 'InvalidParameter',
      message: 'Required parameter(Tags) missing or invalid, please check the request parameters.',
    });

    const categories = await client.listCategory(
      emulator.account.workspaceId,
      new bailian.ListCategoryRequest({ categoryType: 'UNSTRUCTURED' }),
    );
    expect(categories.body?.data?.categoryList?.map((item) => [item.categoryId, item.isDefault])).toEqual([
      [emulator.account.categoryId, true],
      [categoryId, false],
    ]);
    expect(
      await sdkRejection(
        client.deleteCategory(
          categoryId,
          emulator.account.workspaceId,
          new bailian.DeleteCategoryRequest({}),
        ),
      ),
    ).toMatchObject({ statusCode: 400, code: 'InvalidParameter' });

    for (const fileId of fileIds) {
      const deleted = await client.deleteFile(
        fileId,
        emulator.account.workspaceId,
        new bailian.DeleteFileRequest({}),
      );
      expect(deleted.body?.data?.fileId).toBe(fileId);
    }
    const deletedCategory = await client.deleteCategory(
      categoryId,
      emulator.account.workspaceId,
      new bailian.DeleteCategoryRequest({}),
    );
    expect(deletedCategory.body?.data?.categoryId).toBe(categoryId);
    expect(
      await sdkRejection(
        client.describeFile(
          emulator.account.workspaceId,
          fileIds[0] ?? '',
          new bailian.DescribeFileRequest({}),
        ),
      ),
    ).toEqual({
      statusCode: 400,
      code: 'InvalidParameter',
      message: 'Required parameter(FileId) missing or invalid, please check the request parameters.',
    });
  });
});

const CHILD_CHUNK_BYTES = 64 * 1024;

/** The bytes the child process repeats: a fixed pattern both sides can compute. */
function childChunk(): Buffer {
  const chunk = Buffer.alloc(CHILD_CHUNK_BYTES);
  for (let index = 0; index < chunk.byteLength; index++) chunk[index] = (index * 31 + 7) % 251;
  return chunk;
}

/** PUTs `chunks` copies of {@link childChunk} from a child process with node:http, honouring backpressure. */
function putFromChildProcess(url: string, headers: Record<string, string>, chunks: number): Promise<number> {
  const script = `
    import { request } from 'node:http';
    const [url, headersJson, chunksText] = process.argv.slice(1);
    const chunks = Number(chunksText);
    const chunk = Buffer.alloc(${CHILD_CHUNK_BYTES});
    for (let index = 0; index < chunk.byteLength; index++) chunk[index] = (index * 31 + 7) % 251;
    const headers = { ...JSON.parse(headersJson), 'content-length': String(chunk.byteLength * chunks) };
    const put = request(url, { method: 'PUT', headers }, (response) => {
      response.resume();
      response.on('end', () => process.stdout.write(String(response.statusCode)));
    });
    let sent = 0;
    const pump = () => {
      while (sent < chunks) {
        sent++;
        if (!put.write(chunk)) return put.once('drain', pump);
      }
      put.end();
    };
    pump();
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script, url, JSON.stringify(headers), String(chunks)],
      { timeout: 170_000 },
      (error, stdout) => (error ? reject(error) : resolve(Number(stdout))),
    );
  });
}

describe('a 1 GiB lease upload', () => {
  it('streams to disk and keeps RSS growth under 64 MiB', { timeout: 180_000 }, async () => {
    const chunks = 16 * 1024;
    const sizeBytes = CHILD_CHUNK_BYTES * chunks;
    const chunk = childChunk();
    const md5 = createHash('md5');
    for (let index = 0; index < chunks; index++) md5.update(chunk);

    const emulator = await startEmulator({ bailian: { maxFileSizeBytes: 2 * 1024 ** 3 } });
    try {
      const client = sdkClient(emulator);
      const response = await client.applyFileUploadLease(
        'default',
        emulator.account.workspaceId,
        new bailian.ApplyFileUploadLeaseRequest({
          fileName: 'big.mp4',
          md5: md5.digest('hex'),
          sizeInBytes: String(sizeBytes),
        }),
      );
      const parameters = response.body?.data?.param;

      const baselineBytes = process.memoryUsage.rss();
      let peakBytes = baselineBytes;
      const sampler = setInterval(() => {
        peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
      }, 5);
      try {
        // The client runs in a child process, so the samples measure the emulator alone.
        const status = await putFromChildProcess(
          parameters?.url ?? '',
          leaseHeaders(parameters?.headers),
          chunks,
        );
        expect(status).toBe(200);
      } finally {
        clearInterval(sampler);
      }
      peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
      expect(peakBytes - baselineBytes).toBeLessThan(64 * 1024 * 1024);

      const stored = [...bailianState(emulator).objects.values()][0];
      expect(stored?.sizeBytes).toBe(sizeBytes);
      expect((await stat(stored?.path ?? '')).size).toBe(sizeBytes);
      const added = await client.addFile(
        emulator.account.workspaceId,
        new bailian.AddFileRequest({
          leaseId: response.body?.data?.fileUploadLeaseId ?? '',
          parser: 'DASHSCOPE_DOCMIND',
          categoryId: 'default',
        }),
      );
      expect(added.statusCode).toBe(200);
    } finally {
      await emulator.close();
    }
  });
});
