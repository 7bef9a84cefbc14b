import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import * as bailian from '@alicloud/bailian20231229';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAdminClient } from '../src/admin-client.js';
import type { BailianState } from '../src/bailian/bailian-state.js';
import { createEmulator, type Emulator, type EmulatorOptions } from '../src/create-emulator.js';
import { signedRequest } from './support/acs3-request.js';

/** The SDK is CommonJS with `exports.default`: Node's ESM puts the class one level down, vitest's interop does not. */
const sdkExport = bailian.default as unknown as { default?: unknown };
const BailianClientClass = (
  typeof sdkExport === 'function' ? sdkExport : sdkExport.default
) as typeof bailian.default.default;
type BailianClient = InstanceType<typeof BailianClientClass>;

const md5Hex = (data: string | Uint8Array) => createHash('md5').update(data).digest('hex');
const pdfBytes = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);
const startMs = Date.now();

function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return createEmulator({ clock: { startMs, isFrozen: true }, limits: { isRateLimited: false }, ...options });
}

function sdkClient(emulator: Emulator): BailianClient {
  return new BailianClientClass(
    new $OpenApiUtil.Config({
      accessKeyId: emulator.account.accessKeyId,
      accessKeySecret: emulator.account.accessKeySecret,
      endpoint: new URL(emulator.url).host,
      protocol: 'http',
      readTimeout: 20_000,
      connectTimeout: 20_000,
    }),
  );
}

/** Reads `Data.Param.Headers` in every form the service sends: an object, a JSON string or a `"k": "v", ...` fragment. */
function leaseHeaders(headers: unknown): Record<string, string> {
  if (typeof headers === 'object' && headers !== null) return headers as Record<string, string>;
  const text = String(headers).trim();
  return JSON.parse(text.startsWith('{') ? text : `{${text}}`) as Record<string, string>;
}

async function applyLease(
  client: BailianClient,
  emulator: Emulator,
  fileName: string,
  content: Uint8Array,
  categoryType = 'UNSTRUCTURED',
) {
  const response = await client.applyFileUploadLease(
    'default',
    emulator.account.workspaceId,
    new bailian.ApplyFileUploadLeaseRequest({
      fileName,
      md5: md5Hex(content),
      sizeInBytes: String(content.byteLength),
      categoryType,
    }),
  );
  const data = response.body?.data;
  return {
    leaseId: data?.fileUploadLeaseId ?? '',
    url: data?.param?.url ?? '',
    rawHeaders: data?.param?.headers as unknown,
  };
}

async function put(url: string, headers: Record<string, string>, body: string | Uint8Array) {
  const response = await request(url, { method: 'PUT', headers, body });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

/** Lease, PUT and AddFile through the official SDK; returns the FileId. */
async function addDocument(
  client: BailianClient,
  emulator: Emulator,
  fileName: string,
  content: Uint8Array,
  categoryType = 'UNSTRUCTURED',
): Promise<string> {
  const lease = await applyLease(client, emulator, fileName, content, categoryType);
  expect((await put(lease.url, leaseHeaders(lease.rawHeaders), content)).status).toBe(200);
  const added = await client.addFile(
    emulator.account.workspaceId,
    new bailian.AddFileRequest({
      leaseId: lease.leaseId,
      parser: 'DASHSCOPE_DOCMIND',
      categoryId: 'default',
      categoryType,
    }),
  );
  return added.body?.data?.fileId ?? '';
}

function describeStatus(client: BailianClient, emulator: Emulator, fileId: string) {
  return client
    .describeFile(emulator.account.workspaceId, fileId, new bailian.DescribeFileRequest({}))
    .then((response) => response.body?.data?.status ?? '');
}

describe('lease headers', () => {
  it('sends Data.Param.Headers as the seed shows it by default: a string fragment an object-only client cannot index', async () => {
    const emulator = await startEmulator();
    try {
      const lease = await applyLease(sdkClient(emulator), emulator, 'guide.pdf', pdfBytes);
      expect(typeof lease.rawHeaders).toBe('string');
      expect(lease.rawHeaders).toMatch(
        /^ {8}"X-bailian-extra": "[A-Za-z0-9+/=]+",\n {8}"Content-Type": "application\/pdf"$/,
      );
      // A client that reads only the object form sends no X-bailian-extra and is refused.
      const objectOnly = lease.rawHeaders as Record<string, string>;
      const refused = await put(
        lease.url,
        { 'Content-Type': 'application/pdf', 'X-bailian-extra': objectOnly['X-bailian-extra'] ?? '' },
        pdfBytes,
      );
      expect(refused.status).toBe(403);
      expect((await put(lease.url, leaseHeaders(lease.rawHeaders), pdfBytes)).status).toBe(200);
    } finally {
      await emulator.close();
    }
  });

  it.each([
    ['object', ['object', 'object']],
    ['string', ['string', 'string']],
    ['alternate', ['string', 'object', 'string']],
  ] as const)('bailian.leaseHeaders %s', async (form, expected) => {
    const emulator = await startEmulator({ bailian: { leaseHeaders: form } });
    try {
      const client = sdkClient(emulator);
      const kinds: string[] = [];
      for (const _ of expected)
        kinds.push(typeof (await applyLease(client, emulator, 'guide.pdf', pdfBytes)).rawHeaders);
      expect(kinds).toEqual(expected);
    } finally {
      await emulator.close();
    }
  });
});

describe('strictness of the Bailian data API', () => {
  let emulator: Emulator;
  let client: BailianClient;

  beforeAll(async () => {
    emulator = await startEmulator({ requireContentLength: true });
    client = sdkClient(emulator);
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  it('answers Success as a boolean, and as the string "true" on AddFile, as the seeds show', async () => {
    const leaseBody = await signedRequest(emulator, {
      method: 'POST',
      path: `/${emulator.account.workspaceId}/datacenter/category/default`,
      action: 'ApplyFileUploadLease',
      body: `CategoryType=UNSTRUCTURED&FileName=a.pdf&Md5=${md5Hex(pdfBytes)}&SizeInBytes=${pdfBytes.length}`,
    });
    expect(leaseBody.json).toMatchObject({ Success: true, Code: 'success', Status: '200' });
    const data = leaseBody.json.Data as {
      FileUploadLeaseId: string;
      Param: { Url: string; Headers: unknown };
    };
    await put(data.Param.Url, leaseHeaders(data.Param.Headers), pdfBytes);
    const added = await signedRequest(emulator, {
      method: 'PUT',
      path: `/${emulator.account.workspaceId}/datacenter/file`,
      action: 'AddFile',
      body: `CategoryId=default&LeaseId=${data.FileUploadLeaseId}&Parser=DASHSCOPE_DOCMIND`,
    });
    expect(added.json).toMatchObject({ Success: 'true', Status: '200' });
  });

  it('refuses a chunked PUT to the lease URL with 411 MissingContentLength when requireContentLength is on', async () => {
    const lease = await applyLease(client, emulator, 'guide.pdf', pdfBytes);
    const response = await request(lease.url, {
      method: 'PUT',
      headers: leaseHeaders(lease.rawHeaders),
      body: Readable.from([pdfBytes]),
    });
    const text = await response.body.text();
    expect(response.statusCode).toBe(411);
    expect(text).toContain('<Code>MissingContentLength</Code>');
    expect(response.headers['x-oss-request-id']).toBeTruthy();
    expect((await put(lease.url, leaseHeaders(lease.rawHeaders), pdfBytes)).status).toBe(200);
  });

  it('refuses an x-acs-* header that is sent but not signed with IncompleteSignature', async () => {
    const answer = await signedRequest(emulator, {
      method: 'GET',
      path: `/${emulator.account.workspaceId}/datacenter/files`,
      action: 'ListFile',
      query: 'CategoryId=default',
      unsignedHeaders: { 'x-acs-trace-id': 'abc' },
    });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ Code: 'IncompleteSignature' });
    expect(String(answer.json.Message)).toContain('x-acs-trace-id');
    expect(answer.headers['x-acs-request-id']).toBe(answer.json.RequestId);
  });

  it.each([
    ['Tags.1=a&Tags.2=b', 'Tags.1'],
    ['ModelName=qwen-vl-max', 'ModelName'],
    ['Foo=1', 'Foo'],
  ])('refuses AddFile with the unknown or flattened form parameter %s, naming it', async (extra, name) => {
    const answer = await signedRequest(emulator, {
      method: 'PUT',
      path: `/${emulator.account.workspaceId}/datacenter/file`,
      action: 'AddFile',
      body: `CategoryId=default&LeaseId=x.1&Parser=DASHSCOPE_DOCMIND&${extra}`,
    });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ Code: 'InvalidParameter', Success: false });
    expect(String(answer.json.Message)).toContain(name);
  });

  it('refuses query parameters that ListFile does not take, and pageSize spelt PageSize on GetIndexJobStatus', async () => {
    const listFile = await signedRequest(emulator, {
      method: 'GET',
      path: `/${emulator.account.workspaceId}/datacenter/files`,
      action: 'ListFile',
      query: 'CategoryId=default&PageSize=5',
    });
    expect(listFile.status).toBe(400);
    expect(String(listFile.json.Message)).toContain('PageSize');
    const jobStatus = await signedRequest(emulator, {
      method: 'GET',
      path: `/${emulator.account.workspaceId}/index/job/status`,
      action: 'GetIndexJobStatus',
      query: 'IndexId=x&JobId=y&PageSize=5',
    });
    expect(jobStatus.status).toBe(400);
    expect(String(jobStatus.json.Message)).toContain('PageSize');
  });

  it.each([
    [
      'POST',
      'index/create',
      'CreateIndex',
      'Name=kb1&StructureType=unstructured',
      'application/x-www-form-urlencoded',
    ],
    ['POST', 'index/submit_index_job', 'SubmitIndexJob', 'IndexId=x', 'application/json'],
    ['POST', 'index/delete', 'DeleteIndex', 'IndexId=x', ''],
    ['GET', 'datacenter/file/file_1/', 'DescribeFile', '', 'application/json'],
  ])(
    'refuses a bare Content-Type on %s %s (%s), which takes no body',
    async (method, path, action, query, type) => {
      const answer = await signedRequest(emulator, {
        method,
        path: `/${emulator.account.workspaceId}/${path}`,
        action,
        query,
        contentType: type,
      });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({
        Code: path.startsWith('index/') ? 'Index.InvalidParameter' : 'InvalidParameter',
        Success: false,
      });
      expect(String(answer.json.Message)).toContain(
        `${action} takes no request body: send no Content-Type header`,
      );
      expect(String(answer.json.Message)).toContain(JSON.stringify(type));
    },
  );

  it('accepts the documented query-only POST: no body, no Content-Type', async () => {
    const answer = await signedRequest(emulator, {
      method: 'POST',
      path: `/${emulator.account.workspaceId}/index/create`,
      action: 'CreateIndex',
      query: 'Name=kb-bare&StructureType=unstructured&SourceType=DATA_CENTER_FILE&SinkType=BUILT_IN',
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ Success: true });
  });

  it('moves SESSION_FILE documents through their own states, never PARSE_SUCCESS, and expires them', async () => {
    const session = await startEmulator({ bailian: { parseSchedule: { sessionFileTtlMs: 60_000 } } });
    try {
      const sessionClient = sdkClient(session);
      const fileId = await addDocument(sessionClient, session, 'chat.pdf', pdfBytes, 'SESSION_FILE');
      const statuses: string[] = [];
      for (const stepMs of [0, 600, 600, 400, 500, 57_900, 1000]) {
        session.clock.advance(stepMs);
        statuses.push(await describeStatus(sessionClient, session, fileId));
      }
      expect(statuses).toEqual([
        'INIT',
        'SAFE_CHECKING',
        'INDEX_BUILDING',
        'INDEX_BUILD_SUCCESS',
        'FILE_IS_READY',
        'INDEX_DELETED',
        'FILE_EXPIRED',
      ]);

      const broken = await addDocument(
        sessionClient,
        session,
        'broken.pdf',
        Buffer.from('not a pdf'),
        'SESSION_FILE',
      );
      session.clock.advance(2000);
      expect(await describeStatus(sessionClient, session, broken)).toBe('INDEX_BUILDING_FAILED');
    } finally {
      await session.close();
    }
  });

  it('fails the safety check of the document an AddFile with a safeCheckFailed fault creates', async () => {
    const session = await startEmulator({ bailian: { parseSchedule: { sessionFileTtlMs: 60_000 } } });
    try {
      const sessionClient = sdkClient(session);
      // Through the admin API, as a test in another process would.
      await createAdminClient(session.url).addFault({
        route: 'AddFile',
        fault: { type: 'safeCheckFailed', message: 'Sensitive content.' },
        times: 2,
      });
      const unsafe = await addDocument(sessionClient, session, 'unsafe.pdf', pdfBytes, 'SESSION_FILE');
      const statuses: string[] = [];
      for (const stepMs of [0, 600, 600, 10_000, 60_000]) {
        session.clock.advance(stepMs);
        statuses.push(await describeStatus(sessionClient, session, unsafe));
      }
      // No index was built, so none is deleted: it expires straight from SAFE_CHECK_FAILED.
      expect(statuses).toEqual([
        'INIT',
        'SAFE_CHECKING',
        'SAFE_CHECK_FAILED',
        'SAFE_CHECK_FAILED',
        'FILE_EXPIRED',
      ]);

      const document = await addDocument(sessionClient, session, 'unsafe-doc.pdf', pdfBytes);
      session.clock.advance(2000);
      const described = await signedRequest(session, {
        method: 'GET',
        path: `/${session.account.workspaceId}/datacenter/file/${document}/`,
        action: 'DescribeFile',
      });
      expect(described.json).toMatchObject({
        Data: { Status: 'PARSE_FAILED', ParseErrorMessage: 'Sensitive content.' },
      });

      // Used up after two AddFile calls: the next document is safe.
      const safe = await addDocument(sessionClient, session, 'safe.pdf', pdfBytes, 'SESSION_FILE');
      session.clock.advance(2000);
      expect(await describeStatus(sessionClient, session, safe)).toBe('FILE_IS_READY');
      expect(() =>
        session.faults.next({ route: 'DescribeFile', fault: { type: 'safeCheckFailed' } }),
      ).toThrow("fault 'safeCheckFailed' needs route 'AddFile'");
    } finally {
      await session.close();
    }
  });

  it('answers a successFalse fault with HTTP 200, Success:false and the code: the SDK does not throw', async () => {
    emulator.faults.next({
      route: 'AddFile',
      fault: { type: 'successFalse', code: 'DataCenter.FileTooLarge' },
    });
    const lease = await applyLease(client, emulator, 'guide.pdf', pdfBytes);
    await put(lease.url, leaseHeaders(lease.rawHeaders), pdfBytes);
    const answer = await client.addFile(
      emulator.account.workspaceId,
      new bailian.AddFileRequest({
        leaseId: lease.leaseId,
        parser: 'DASHSCOPE_DOCMIND',
        categoryId: 'default',
      }),
    );
    expect(answer.statusCode).toBe(200);
    // The 2.12.0 model types AddFile's Success as a string: the SDK turns false into "false" and does not throw.
    expect(answer.body).toMatchObject({ success: 'false', code: 'DataCenter.FileTooLarge', status: '200' });
    expect(answer.body?.data).toBeUndefined();
    expect(answer.headers?.['x-acs-request-id']).toBe(answer.body?.requestId);
    expect(bailianStateOf(emulator).leases.get(lease.leaseId)?.consumedAtMs).toBeUndefined();
  });
});

function bailianStateOf(emulator: Emulator): BailianState {
  return emulator.state.bailian as BailianState;
}
