import type { CallRecord } from '@x/emulator';
import { createQuotaLimiter, modelStudioQuotas } from '@x/ratelimit';
import { type Limiter, TransportError } from '@x/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeBaseError } from '../../src/index.js';
import { contractContext, pdfBytes } from './contract-context.js';

const context = await contractContext();
const fast = { pollIntervalMs: 100, maxPollIntervalMs: 500 };

afterEach(() => context.admin.clearFaults());

/** The calls the emulator received on `route` since `since` (a count taken before the test acted). */
async function callsSince(route: string, since: number): Promise<CallRecord[]> {
  return (await context.admin.calls({ route })).slice(since);
}

async function countOf(route: string): Promise<number> {
  return (await context.admin.calls({ route })).length;
}

describe('a 200 with Success: false and a transient Code, on calls safe to repeat: retried as a 5xx or 429', () => {
  it('InternalError on ApplyFileUploadLease and ServiceUnavailable on DescribeFile: retried, the upload succeeds', async () => {
    const leasesBefore = await countOf('ApplyFileUploadLease');
    const describesBefore = await countOf('DescribeFile');
    const addsBefore = await countOf('AddFile');
    await context.admin.addFault({
      route: 'ApplyFileUploadLease',
      fault: { type: 'successFalse', code: 'InternalError' },
      times: 2,
    });
    await context.admin.addFault({
      route: 'DescribeFile',
      fault: { type: 'successFalse', code: 'ServiceUnavailable' },
      times: 2,
    });
    const path = await context.file('transient-lease.pdf', pdfBytes('transient lease'));
    const document = await context.client().uploadDocument(path, fast);

    expect(document.status).toBe('PARSE_SUCCESS');
    expect(document.leases).toBe(1);
    const leaseCalls = await callsSince('ApplyFileUploadLease', leasesBefore);
    expect(leaseCalls.map((call) => call.fault ?? 'answered')).toEqual([
      'successFalse',
      'successFalse',
      'answered',
    ]);
    const describeCalls = await callsSince('DescribeFile', describesBefore);
    expect(describeCalls.filter((call) => call.fault === 'successFalse')).toHaveLength(2);
    expect(describeCalls.length).toBeGreaterThanOrEqual(3);
    expect(await callsSince('AddFile', addsBefore)).toHaveLength(1);
  });

  it('a Throttling code (DataCenter.Throttling) on ApplyFileUploadLease: waited out as a 429, the upload succeeds', async () => {
    const leasesBefore = await countOf('ApplyFileUploadLease');
    await context.admin.addFault({
      route: 'ApplyFileUploadLease',
      fault: { type: 'successFalse', code: 'DataCenter.Throttling' },
      times: 2,
    });
    const path = await context.file('throttled-lease.pdf', pdfBytes('throttled lease'));
    const document = await context.client().uploadDocument(path, fast);

    expect(document.status).toBe('PARSE_SUCCESS');
    expect(await callsSince('ApplyFileUploadLease', leasesBefore)).toHaveLength(3);
  });

  it('a Throttling code with a retry hint: the wait penalizes the limiter under the call key, as a 429 does', async () => {
    const quotas = createQuotaLimiter({ quotas: modelStudioQuotas });
    const penalties: [string, number][] = [];
    const limiter: Limiter = {
      acquire: (key, options) => quotas.acquire(key, options),
      penalize: (key, retryAfterMs) => {
        penalties.push([key, retryAfterMs]);
        quotas.penalize(key, retryAfterMs);
      },
    };
    const leasesBefore = await countOf('ApplyFileUploadLease');
    // The 200 carries `x-acs-retry-after: 1000` (milliseconds, spec §7), as a throttle does.
    await context.admin.addFault({
      route: 'ApplyFileUploadLease',
      fault: { type: 'successFalse', code: 'DataCenter.Throttling', retryAfterSeconds: 1 },
      times: 1,
    });
    try {
      const path = await context.file('penalized-lease.pdf', pdfBytes('penalized lease'));
      const document = await context.client({ limiter }).uploadDocument(path, fast);

      expect(document.status).toBe('PARSE_SUCCESS');
      expect(penalties).toEqual([[`applyFileUploadLease:${context.workspaceId}`, 1000]]);
      expect(await callsSince('ApplyFileUploadLease', leasesBefore)).toHaveLength(2);
    } finally {
      await quotas.close();
    }
  });

  it('a transient Code that lasts: given up after the transport policy attempts, the Code kept in the cause', async () => {
    const before = await countOf('DescribeFile');
    await context.admin.addFault({
      route: 'DescribeFile',
      fault: { type: 'successFalse', code: 'InternalError' },
      times: 'always',
    });
    const error = await context
      .client()
      .describeFile('file_00000000000000000000000000000000_1')
      .catch((caught: unknown) => caught);

    expect(TransportError.isInstance(error) && error.code).toBe('RETRIES_EXHAUSTED');
    const cause = (error as TransportError).cause;
    expect(KnowledgeBaseError.isInstance(cause) && cause.code).toBe('SERVICE_FAILURE');
    expect((cause as KnowledgeBaseError).serviceCode).toBe('InternalError');
    // The transport's default policy: 3 attempts in all.
    expect(await callsSince('DescribeFile', before)).toHaveLength(3);
  });
});

describe('a 200 with Success: false and a final Code: thrown at once', () => {
  it('InvalidParameter on ApplyFileUploadLease: one call, SERVICE_FAILURE with its Code, no AddFile', async () => {
    const leasesBefore = await countOf('ApplyFileUploadLease');
    const addsBefore = await countOf('AddFile');
    await context.admin.addFault({
      route: 'ApplyFileUploadLease',
      fault: { type: 'successFalse', code: 'InvalidParameter' },
      times: 'always',
    });
    const path = await context.file('invalid-lease.pdf', pdfBytes('invalid lease'));
    const error = await context
      .client()
      .uploadDocument(path, fast)
      .catch((caught: unknown) => caught);

    expect(KnowledgeBaseError.isInstance(error) && error.code).toBe('SERVICE_FAILURE');
    expect(error).toMatchObject({ serviceCode: 'InvalidParameter', httpStatus: 200, isRetryable: false });
    expect(await callsSince('ApplyFileUploadLease', leasesBefore)).toHaveLength(1);
    expect(await callsSince('AddFile', addsBefore)).toHaveLength(0);
  });

  it('a prefixed code (InternalError.Algo.InvalidParameter) is not taken for InternalError: one call', async () => {
    const before = await countOf('DescribeFile');
    await context.admin.addFault({
      route: 'DescribeFile',
      fault: { type: 'successFalse', code: 'InternalError.Algo.InvalidParameter' },
      times: 'always',
    });
    const error = await context
      .client()
      .describeFile('file_00000000000000000000000000000000_2')
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      code: 'SERVICE_FAILURE',
      serviceCode: 'InternalError.Algo.InvalidParameter',
    });
    expect(await callsSince('DescribeFile', before)).toHaveLength(1);
  });

  it('InternalError on AddCategory (a POST that is not safe to repeat): one call, not retried', async () => {
    const before = await countOf('AddCategory');
    await context.admin.addFault({
      route: 'AddCategory',
      fault: { type: 'successFalse', code: 'InternalError' },
      times: 'always',
    });
    const error = await context
      .client()
      .addCategory({ categoryName: 'not-repeated' })
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'SERVICE_FAILURE', serviceCode: 'InternalError', isRetryable: true });
    expect(await callsSince('AddCategory', before)).toHaveLength(1);
  });
});

describe('AddFile with Success: false: the exactly-once rules, never a blind retry', () => {
  it('InternalError: not sent again blindly; looked up, then sent again with the same lease, added once', async () => {
    const addsBefore = await countOf('AddFile');
    const listsBefore = await countOf('ListFile');
    await context.admin.addFault({
      route: 'AddFile',
      fault: { type: 'successFalse', code: 'InternalError' },
      times: 1,
    });
    const path = await context.file('add-internal.pdf', pdfBytes('add internal'));
    const document = await context.client().uploadDocument(path, fast);

    expect(document.leases).toBe(1);
    const addCalls = await callsSince('AddFile', addsBefore);
    expect(addCalls.map((call) => call.fault ?? 'answered')).toEqual(['successFalse', 'answered']);
    // Between the two AddFile calls, the lookup ran.
    const lookups = (await callsSince('ListFile', listsBefore)).filter(
      (call) => call.id > addCalls[0]!.id && call.id < addCalls[1]!.id,
    );
    expect(lookups.length).toBeGreaterThanOrEqual(1);
    const files: string[] = [];
    for await (const file of context.client().listFiles({ fileName: 'add-internal' })) {
      if (file.FileName === 'add-internal.pdf') files.push(file.FileId);
    }
    expect(files).toEqual([document.fileId]);
  });

  it('DataCenter.Throttling: the service did nothing, sent again with the same lease without a lookup', async () => {
    const addsBefore = await countOf('AddFile');
    const listsBefore = await countOf('ListFile');
    await context.admin.addFault({
      route: 'AddFile',
      fault: { type: 'successFalse', code: 'DataCenter.Throttling' },
      times: 2,
    });
    const path = await context.file('add-throttled.pdf', pdfBytes('add throttled'));
    const document = await context.client().uploadDocument(path, fast);

    expect(document.leases).toBe(1);
    expect(document.wasFoundByLookup).toBe(false);
    expect((await callsSince('AddFile', addsBefore)).map((call) => call.fault ?? 'answered')).toEqual([
      'successFalse',
      'successFalse',
      'answered',
    ]);
    expect(await callsSince('ListFile', listsBefore)).toHaveLength(0);
  });

  it('InvalidParameter: a definite refusal, thrown at once with its Code, no lookup', async () => {
    const addsBefore = await countOf('AddFile');
    await context.admin.addFault({
      route: 'AddFile',
      fault: { type: 'successFalse', code: 'InvalidParameter' },
      times: 1,
    });
    const path = await context.file('add-invalid.pdf', pdfBytes('add invalid'));
    const error = await context
      .client()
      .uploadDocument(path, fast)
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'SERVICE_FAILURE', serviceCode: 'InvalidParameter' });
    expect(await callsSince('AddFile', addsBefore)).toHaveLength(1);
  });
});
