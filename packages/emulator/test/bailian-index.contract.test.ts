import { createHash } from 'node:crypto';
import * as bailian from '@alicloud/bailian20231229';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../src/create-emulator.js';
import { signedRequest } from './support/acs3-request.js';

/** The SDK is CommonJS with `exports.default`: Node's ESM puts the class one level down, vitest's interop does not. */
const sdkExport = bailian.default as unknown as { default?: unknown };
const BailianClientClass = (
  typeof sdkExport === 'function' ? sdkExport : sdkExport.default
) as typeof bailian.default.default;
type BailianClient = InstanceType<typeof BailianClientClass>;

const md5Hex = (data: string | Uint8Array) => createHash('md5').update(data).digest('hex');
const pdf = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\ntrailer << >>\n%%EOF\n`);
const startMs = Date.now();

function leaseHeaders(headers: unknown): Record<string, string> {
  if (typeof headers === 'object' && headers !== null) return headers as Record<string, string>;
  const text = String(headers).trim();
  return JSON.parse(text.startsWith('{') ? text : `{${text}}`) as Record<string, string>;
}

/** What the SDK throws for a 4xx/5xx answer: status, code and the service's own message. */
async function sdkRejection(promise: Promise<unknown>) {
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

describe('knowledge-base index APIs with the official @alicloud/bailian20231229 client', () => {
  let emulator: Emulator;
  let client: BailianClient;
  let workspace: string;

  beforeAll(async () => {
    emulator = await createEmulator({ clock: { startMs, isFrozen: true } });
    workspace = emulator.account.workspaceId;
    client = new BailianClientClass(
      new $OpenApiUtil.Config({
        accessKeyId: emulator.account.accessKeyId,
        accessKeySecret: emulator.account.accessKeySecret,
        endpoint: new URL(emulator.url).host,
        protocol: 'http',
        readTimeout: 20_000,
        connectTimeout: 20_000,
      }),
    );
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  async function addDocument(fileName: string, content: Uint8Array): Promise<string> {
    const lease = await client.applyFileUploadLease(
      'default',
      workspace,
      new bailian.ApplyFileUploadLeaseRequest({
        fileName,
        md5: md5Hex(content),
        sizeInBytes: String(content.length),
      }),
    );
    const parameters = lease.body?.data?.param;
    const response = await request(parameters?.url ?? '', {
      method: 'PUT',
      headers: leaseHeaders(parameters?.headers),
      body: content,
    });
    await response.body.text();
    const added = await client.addFile(
      workspace,
      new bailian.AddFileRequest({
        leaseId: lease.body?.data?.fileUploadLeaseId ?? '',
        parser: 'DASHSCOPE_DOCMIND',
        categoryId: 'default',
      }),
    );
    return added.body?.data?.fileId ?? '';
  }

  it('creates an index, builds it on the emulated clock, adds documents, lists and deletes them', async () => {
    const first = await addDocument('first.pdf', pdf('first'));
    const second = await addDocument('second.pdf', pdf('second'));
    emulator.clock.advance(2000); // both PARSE_SUCCESS

    const created = await client.createIndex(
      workspace,
      new bailian.CreateIndexRequest({
        name: 'kb1',
        structureType: 'unstructured',
        sourceType: 'DATA_CENTER_FILE',
        sinkType: 'BUILT_IN',
        documentIds: [first],
      }),
    );
    expect(created.body).toMatchObject({ success: true, status: '200' });
    const indexId = created.body?.data?.id ?? '';
    expect(indexId).toMatch(/^[a-z0-9]{10}$/);

    const submitted = await client.submitIndexJob(workspace, new bailian.SubmitIndexJobRequest({ indexId }));
    const jobId = submitted.body?.data?.id ?? '';
    expect(submitted.body?.data?.indexId).toBe(indexId);

    const statuses: string[] = [];
    for (const stepMs of [0, 600, 1500]) {
      emulator.clock.advance(stepMs);
      const status = await client.getIndexJobStatus(
        workspace,
        new bailian.GetIndexJobStatusRequest({ indexId, jobId, pageNumber: 1, pageSize: 10 }),
      );
      statuses.push(
        `${status.body?.data?.status}:${status.body?.data?.documents?.map((document) => document.status).join(',')}`,
      );
    }
    expect(statuses).toEqual(['PENDING:RUNNING', 'RUNNING:RUNNING', 'COMPLETED:FINISH']);

    const addJob = await client.submitIndexAddDocumentsJob(
      workspace,
      new bailian.SubmitIndexAddDocumentsJobRequest({
        indexId,
        sourceType: 'DATA_CENTER_FILE',
        documentIds: [second],
      }),
    );
    emulator.clock.advance(2000);
    const added = await client.getIndexJobStatus(
      workspace,
      new bailian.GetIndexJobStatusRequest({ indexId, jobId: addJob.body?.data?.id ?? '' }),
    );
    expect(added.body?.data).toMatchObject({
      status: 'COMPLETED',
      documents: [{ docId: second, docName: 'second.pdf', status: 'FINISH' }],
    });

    const indices = await client.listIndices(workspace, new bailian.ListIndicesRequest({ indexName: 'kb1' }));
    expect(indices.body?.data?.totalCount).toBe(1);
    expect(indices.body?.data?.indices?.[0]).toMatchObject({
      id: indexId,
      name: 'kb1',
      sinkType: 'BUILT_IN',
    });

    const documents = await client.listIndexDocuments(
      workspace,
      new bailian.ListIndexDocumentsRequest({ indexId }),
    );
    expect(
      documents.body?.data?.documents?.map((document) => [document.name, document.status]).sort(),
    ).toEqual([
      ['first.pdf', 'FINISH'],
      ['second.pdf', 'FINISH'],
    ]);

    const deleted = await client.deleteIndexDocument(
      workspace,
      new bailian.DeleteIndexDocumentRequest({ indexId, documentIds: [first] }),
    );
    expect(deleted.body?.data?.deletedDocument).toEqual([first]);
    const after = await client.listIndexDocuments(
      workspace,
      new bailian.ListIndexDocumentsRequest({ indexId, documentStatus: 'FINISH' }),
    );
    expect(after.body?.data?.documents?.map((document) => document.id)).toEqual([second]);

    const removed = await client.deleteIndex(workspace, new bailian.DeleteIndexRequest({ indexId }));
    expect(removed.body?.success).toBe(true);
    const none = await client.listIndices(workspace, new bailian.ListIndicesRequest({}));
    expect(none.body?.data?.totalCount).toBe(0);
  });

  it('adds only PARSE_SUCCESS documents: any other ends INSERT_ERROR with Index.Document.ChunkError', async () => {
    const parsed = await addDocument('ready.pdf', pdf('ready'));
    emulator.clock.advance(2000);
    const parsing = await addDocument('parsing.pdf', pdf('parsing'));
    const created = await client.createIndex(
      workspace,
      new bailian.CreateIndexRequest({
        name: 'kb2',
        structureType: 'unstructured',
        sourceType: 'DATA_CENTER_FILE',
        documentIds: [parsed, parsing],
      }),
    );
    const indexId = created.body?.data?.id ?? '';
    const job = await client.submitIndexJob(workspace, new bailian.SubmitIndexJobRequest({ indexId }));
    emulator.clock.advance(2000);
    const status = await client.getIndexJobStatus(
      workspace,
      new bailian.GetIndexJobStatusRequest({ indexId, jobId: job.body?.data?.id ?? '' }),
    );
    expect(status.body?.data?.status).toBe('COMPLETED');
    expect(status.body?.data?.documents).toEqual([
      expect.objectContaining({ docId: parsed, status: 'FINISH', code: '' }),
      expect.objectContaining({
        docId: parsing,
        status: 'INSERT_ERROR',
        code: 'Index.Document.ChunkError',
        message: 'document parse error',
      }),
    ]);

    const onlyBad = await client.submitIndexAddDocumentsJob(
      workspace,
      new bailian.SubmitIndexAddDocumentsJobRequest({
        indexId,
        sourceType: 'DATA_CENTER_FILE',
        documentIds: [await addDocument('late.pdf', pdf('late'))],
      }),
    );
    emulator.clock.advance(2000);
    const failed = await client.getIndexJobStatus(
      workspace,
      new bailian.GetIndexJobStatusRequest({ indexId, jobId: onlyBad.body?.data?.id ?? '' }),
    );
    expect(failed.body?.data?.status).toBe('FAILED');
  });

  it('sends query-only POSTs as documented: no body, no content-type; a form body is refused naming its parameter', async () => {
    const created = await signedRequest(emulator, {
      method: 'POST',
      path: `/${workspace}/index/create`,
      action: 'CreateIndex',
      query: 'Name=kb3&StructureType=unstructured&SourceType=DATA_CENTER_FILE&SinkType=BUILT_IN',
    });
    expect(created.status).toBe(200);
    const asForm = await signedRequest(emulator, {
      method: 'POST',
      path: `/${workspace}/index/create`,
      action: 'CreateIndex',
      body: 'Name=kb4&StructureType=unstructured',
    });
    expect(asForm.status).toBe(400);
    expect(asForm.json).toMatchObject({ Code: 'Index.InvalidParameter', Success: false });
    expect(String(asForm.json.Message)).toContain('Name');
  });

  it('refuses SubmitIndexJob without a source type as the service does', async () => {
    const created = await client.createIndex(
      workspace,
      new bailian.CreateIndexRequest({ name: 'kb5', structureType: 'unstructured' }),
    );
    const failure = await sdkRejection(
      client.submitIndexJob(
        workspace,
        new bailian.SubmitIndexJobRequest({ indexId: created.body?.data?.id ?? '' }),
      ),
    );
    expect(failure).toEqual({
      statusCode: 400,
      code: 'Index.InvalidParameter',
      message: 'Required parameter(data_sources) missing or invalid, please check the request parameters.',
    });
  });

  it('throttles GetIndexJobStatus above 20 calls a minute', async () => {
    const created = await client.createIndex(
      workspace,
      new bailian.CreateIndexRequest({
        name: 'kb6',
        structureType: 'unstructured',
        sourceType: 'DATA_CENTER_FILE',
        documentIds: [await addDocument('t.pdf', pdf('t'))],
      }),
    );
    const indexId = created.body?.data?.id ?? '';
    const jobId =
      (await client.submitIndexJob(workspace, new bailian.SubmitIndexJobRequest({ indexId }))).body?.data
        ?.id ?? '';
    const poll = () =>
      client.getIndexJobStatus(workspace, new bailian.GetIndexJobStatusRequest({ indexId, jobId }));
    for (let call = 0; call < 20; call += 1) await poll();
    const failure = await sdkRejection(poll());
    expect(failure.statusCode).toBe(429);
    expect(failure.code).toBe('Throttling.User');
    emulator.clock.advance(60_000);
    expect((await poll()).statusCode).toBe(200);
  });
});
