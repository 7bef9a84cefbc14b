import { InvalidInputError } from '@x/transport';
import { describe, expect, it } from 'vitest';
import { KnowledgeBaseError } from '../../src/index.js';
import { contractContext, pdfBytes } from './contract-context.js';

const context = await contractContext();
const fast = { pollIntervalMs: 100, maxPollIntervalMs: 500 };

async function describeCalls(fileId: string): Promise<number> {
  const calls = await context.admin.calls({ route: 'DescribeFile' });
  return calls.filter((call) => call.path.includes(fileId)).length;
}

describe('waitUntilParsed', () => {
  it('resolves with the described file at PARSE_SUCCESS for a document added without waiting', async () => {
    const client = context.client();
    const path = await context.file('wait-parsed.pdf', pdfBytes('wait until parsed'));
    const added = await client.uploadDocument(path, { wait: false });
    expect(added.status).toBeUndefined();
    const file = await client.waitUntilParsed(added.fileId, fast);
    expect(file.FileId).toBe(added.fileId);
    expect(file.FileName).toBe('wait-parsed.pdf');
    expect(file.Status).toBe('PARSE_SUCCESS');
    expect(await describeCalls(added.fileId)).toBeGreaterThanOrEqual(1);
  });

  it('resolves at FILE_IS_READY for a SESSION_FILE', async () => {
    const client = context.client();
    const path = await context.file('wait-session.txt', 'A file for one conversation.\n');
    const added = await client.uploadDocument(path, { categoryType: 'SESSION_FILE', wait: false });
    const file = await client.waitUntilParsed(added.fileId, { ...fast, categoryType: 'SESSION_FILE' });
    expect(file.Status).toBe('FILE_IS_READY');
  });

  it('rejects with PARSE_FAILED, the parse message and the fileId for a document the parser cannot read', async () => {
    const client = context.client();
    const path = await context.file('wait-broken.pdf', 'not a pdf at all');
    const added = await client.uploadDocument(path, { wait: false });
    const error = await client.waitUntilParsed(added.fileId, fast).catch((caught: unknown) => caught);
    expect(KnowledgeBaseError.isInstance(error)).toBe(true);
    expect((error as KnowledgeBaseError).code).toBe('PARSE_FAILED');
    expect((error as KnowledgeBaseError).fileId).toBe(added.fileId);
    expect((error as KnowledgeBaseError).message).toMatch(/wait-broken\.pdf.*PARSE_FAILED.*not a valid pdf/);
  });

  it('rejects with PARSE_FAILED for a document that failed the safety check, and FILE_FAILED for a SESSION_FILE', async () => {
    const client = context.client();
    await context.admin.addFault({
      route: 'AddFile',
      fault: { type: 'safeCheckFailed', message: 'flagged by the safety check' },
      times: 2,
    });
    try {
      const document = await context.file('wait-unsafe.pdf', pdfBytes('unsafe'));
      const unstructured = await client.uploadDocument(document, { wait: false });
      const parseFailed = await client
        .waitUntilParsed(unstructured.fileId, fast)
        .catch((caught: unknown) => caught);
      expect(KnowledgeBaseError.isInstance(parseFailed) && parseFailed.code).toBe('PARSE_FAILED');
      expect((parseFailed as Error).message).toMatch(/flagged by the safety check/);

      const session = await context.file('wait-unsafe.txt', 'unsafe session text\n');
      const sessionFile = await client.uploadDocument(session, { categoryType: 'SESSION_FILE', wait: false });
      const fileFailed = await client
        .waitUntilParsed(sessionFile.fileId, { ...fast, categoryType: 'SESSION_FILE' })
        .catch((caught: unknown) => caught);
      expect(KnowledgeBaseError.isInstance(fileFailed) && fileFailed.code).toBe('FILE_FAILED');
      expect((fileFailed as KnowledgeBaseError).status).toBe('SAFE_CHECK_FAILED');
    } finally {
      await context.admin.clearFaults();
    }
  });

  it('rejects with signal.reason when aborted during a DescribeFile, and polls no more', async () => {
    const client = context.client();
    const path = await context.file('wait-abort.txt', 'waited for, then not\n');
    const added = await client.uploadDocument(path, { wait: false });
    await context.admin.addFault({ route: 'DescribeFile', fault: { type: 'stall' } });
    try {
      const controller = new AbortController();
      const reason = new Error('the caller gave up');
      const waiting = client
        .waitUntilParsed(added.fileId, { ...fast, signal: controller.signal })
        .catch((caught: unknown) => caught);
      // The stalled DescribeFile never answers, so the wait can only end by the abort.
      setTimeout(() => controller.abort(reason), 200);
      expect(await waiting).toBe(reason);
      const calls = await describeCalls(added.fileId);
      expect(calls).toBeLessThanOrEqual(1);
    } finally {
      await context.admin.clearFaults();
    }
  });

  it('sends nothing for an aborted signal, a malformed FileId or unknown options', async () => {
    const client = context.client();
    const before = (await context.admin.calls()).length;
    const reason = new Error('already aborted');
    const aborted = await client
      .waitUntilParsed('file_0123456789abcdef0123456789abcdef_1', { signal: AbortSignal.abort(reason) })
      .catch((caught: unknown) => caught);
    expect(aborted).toBe(reason);
    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'resolved',
        (error: unknown) => (InvalidInputError.isInstance(error) ? error.code : String(error)),
      );
    expect(await codeOf(client.waitUntilParsed('../file'))).toBe('INVALID_FILE_ID');
    expect(await codeOf(client.waitUntilParsed('file_1', { interval: 5 } as never))).toBe('INVALID_OPTIONS');
    expect(await codeOf(client.waitUntilParsed('file_1', { categoryType: 'OTHER' } as never))).toBe(
      'INVALID_OPTIONS',
    );
    expect((await context.admin.calls()).length).toBe(before);
  });
});
