import { HttpStatusError } from '@x/transport';
import { describe, expect, it } from 'vitest';
import { contractContext, pdfBytes } from './contract-context.js';

const context = await contractContext();
const fast = { pollIntervalMs: 100, maxPollIntervalMs: 500 };

/** Whether this emulator answers the knowledge-base index APIs (they arrive after the data-center ones). */
function isMissingApi(error: unknown): boolean {
  return HttpStatusError.isInstance(error) && error.status === 404;
}

describe('knowledge-base indexes', () => {
  it('creates an index from a parsed document, and takes another document to FINISH in one call', async (test) => {
    const client = context.client();
    const first = await client.uploadDocument(await context.file('index-first.pdf', pdfBytes('first')), fast);
    const created = await client
      .createIndex({ name: 'kb-contract', documentIds: [first.fileId] })
      .catch((error: unknown) => error);
    if (isMissingApi(created)) {
      test.skip();
      return;
    }
    if (created instanceof Error) throw created;
    const { indexId, jobId } = created as { indexId: string; jobId: string };
    const status = await client.waitForIndexJob(indexId, jobId, {
      documentIds: [first.fileId],
      pollIntervalMs: 500,
    });
    expect(status.Status).toBe('COMPLETED');

    const second = await client.uploadDocument(await context.file('index-second.pdf', pdfBytes('second')), {
      ...fast,
      indexId,
    });
    expect(second.indexId).toBe(indexId);
    expect(second.indexJobId).toEqual(expect.any(String));
    const documents = [];
    for await (const document of client.listIndexDocuments(indexId)) documents.push(document);
    expect(documents.map((document) => [document.Id, document.Status]).sort()).toEqual(
      [
        [first.fileId, 'FINISH'],
        [second.fileId, 'FINISH'],
      ].sort(),
    );
    // GetIndexJobStatus stayed under its 20-per-minute quota: never throttled.
    const polls = await context.admin.calls({ route: 'GetIndexJobStatus' });
    expect(polls.every((call) => call.status === 200)).toBe(true);

    await client.deleteIndexDocuments(indexId, [first.fileId]);
    const remaining = [];
    for await (const document of client.listIndexDocuments(indexId, { documentStatus: 'FINISH' })) {
      remaining.push(document.Id);
    }
    expect(remaining).toEqual([second.fileId]);
  }, 120_000);
});

describe('SESSION_FILE documents', () => {
  it('wait until FILE_IS_READY', async (test) => {
    const client = context.client();
    const path = await context.file('session-notes.txt', 'Notes for one conversation.');
    const added = await client.uploadDocument(path, { categoryType: 'SESSION_FILE', wait: false });
    await context.admin.advanceClock(60_000);
    const described = await client.describeFile(added.fileId);
    await context.admin.reset();
    if (described.Status === 'PARSE_SUCCESS') {
      // This emulator does not run the SESSION_FILE states yet.
      test.skip();
      return;
    }
    const document = await client.uploadDocument(await context.file('session-more.txt', 'More notes.'), {
      categoryType: 'SESSION_FILE',
      ...fast,
    });
    expect(document.status).toBe('FILE_IS_READY');
    expect(document.categoryType).toBe('SESSION_FILE');
  }, 120_000);
});
