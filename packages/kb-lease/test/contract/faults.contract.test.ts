import { acs3, createTransport } from '@x/transport';
import { afterEach, describe, expect, it } from 'vitest';
import type { KnowledgeBaseClientOptions } from '../../src/index.js';
import { contractContext, pdfBytes } from './contract-context.js';

const context = await contractContext();
const fast = { pollIntervalMs: 100, maxPollIntervalMs: 500 };

afterEach(() => context.admin.clearFaults());

/** The files of the default category named `name`, from the service's own list. */
async function filesNamed(name: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const file of context.client().listFiles({ fileName: name.replace(/\.[^.]+$/, '') })) {
    if (file.FileName === name) ids.push(file.FileId);
  }
  return ids;
}

async function batch(prefix: string, count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, (_, index) =>
      context.file(`${prefix}-${index}.pdf`, pdfBytes(`${prefix} ${index}`)),
    ),
  );
}

/** Uploads a batch under a fault plan and checks that every document was added exactly once. */
async function expectExactlyOnce(prefix: string, paths: string[], options: KnowledgeBaseClientOptions = {}) {
  const before = (await context.admin.calls({ route: 'AddFile' })).length;
  const client = context.client(options);
  const results = await client.uploadMany(paths, { concurrency: 3, ...fast });
  for (const result of results) {
    if (result.status === 'rejected') throw result.reason;
  }
  const fileIds = results.map((result) => (result.status === 'fulfilled' ? result.value.fileId : ''));
  expect(new Set(fileIds).size).toBe(paths.length);
  for (let index = 0; index < paths.length; index += 1) {
    expect(await filesNamed(`${prefix}-${index}.pdf`)).toEqual([fileIds[index]]);
  }
  const addFileCalls = (await context.admin.calls({ route: 'AddFile' })).slice(before);
  return { results, addFileCalls };
}

describe('AddFile under faults: every document added exactly once, none lost', () => {
  it('a reset while AddFile answers (the emulator drops it before acting): looked up, sent again with the same lease, added once', async () => {
    await context.admin.addFault({ route: 'AddFile', fault: { type: 'reset', phase: 'response' }, times: 3 });
    const paths = await batch('reset-response', 5);
    const { results, addFileCalls } = await expectExactlyOnce('reset-response', paths);
    // The emulator drops the connection after reading the request and before acting on it: each faulted document is
    // looked up, not found, and sent again with the same lease, which the service had not consumed (the answer lost
    // after the file was added is the next test). Either way, every document is added once, each with one lease.
    const found = results.filter(
      (result) => result.status === 'fulfilled' && result.value.wasFoundByLookup,
    ).length;
    expect(addFileCalls.filter((call) => call.fault === 'reset')).toHaveLength(3);
    expect(addFileCalls).toHaveLength(5 + 3 - found);
    expect(
      results.reduce((sum, result) => sum + (result.status === 'fulfilled' ? result.value.leases : 0), 0),
    ).toBe(5);
  });

  it('an AddFile whose answer is lost after the service added the file: found by lookup, never added twice', async () => {
    // The emulator adds the file and answers, then resets the client's connection halfway through the answer.
    await context.admin.addFault({ route: 'AddFile', fault: { type: 'answerLost' }, times: 3 });
    const paths = await batch('answer-lost', 4);
    const { results, addFileCalls } = await expectExactlyOnce('answer-lost', paths);
    expect(addFileCalls.filter((call) => call.fault === 'answerLost')).toHaveLength(3);
    expect(addFileCalls).toHaveLength(4);
    expect(addFileCalls.every((call) => call.status === 200)).toBe(true);
    expect(
      results.filter((result) => result.status === 'fulfilled' && result.value.wasFoundByLookup),
    ).toHaveLength(3);
    expect(results.every((result) => result.status === 'fulfilled' && result.value.leases === 1)).toBe(true);
  });

  it('an AddFile whose answer is lost before its status arrives: found by lookup, never added twice', async () => {
    await context.admin.addFault({ route: 'AddFile', fault: { type: 'answerLost', at: 'head' }, times: 2 });
    const paths = await batch('answer-lost-head', 3);
    const { results, addFileCalls } = await expectExactlyOnce('answer-lost-head', paths);
    expect(addFileCalls.filter((call) => call.fault === 'answerLost')).toHaveLength(2);
    expect(addFileCalls).toHaveLength(3);
    expect(
      results.filter((result) => result.status === 'fulfilled' && result.value.wasFoundByLookup),
    ).toHaveLength(2);
    expect(results.every((result) => result.status === 'fulfilled' && result.value.leases === 1)).toBe(true);
  });

  it('a reset while AddFile is sent (nothing added): looked up, sent again with the same lease, added once', async () => {
    await context.admin.addFault({ route: 'AddFile', fault: { type: 'reset', phase: 'request' }, times: 2 });
    const paths = await batch('reset-request', 4);
    const { results, addFileCalls } = await expectExactlyOnce('reset-request', paths);
    expect(addFileCalls).toHaveLength(6);
    expect(results.every((result) => result.status === 'fulfilled' && result.value.leases === 1)).toBe(true);
  });

  it('an AddFile that times out and lands after the lookup: the same lease is refused, never added twice', async () => {
    // The service holds the first AddFile for 1.5 s and then carries it out; the client gives up after 300 ms,
    // looks the document up before the held call lands, and finds nothing.
    await context.admin.addFault({ route: 'AddFile', fault: { type: 'delay', delayMs: 1500 }, times: 1 });
    const transport = createTransport({
      baseUrl: context.url,
      auth: acs3(context.credentials),
      timeouts: { headersMs: 300 },
    });
    const path = await context.file('held.pdf', pdfBytes('held'));
    const client = context.client({ transport });
    const document = await client.uploadDocument(path, fast);
    // Let the held call land, then count: one file, the one the caller was given.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await filesNamed('held.pdf')).toEqual([document.fileId]);
    expect(document.leases).toBe(1);
    await transport.close();
  });

  it('429 Throttling: sent again with the same lease', async () => {
    await context.admin.addFault({
      route: 'AddFile',
      fault: { type: 'status', status: 429, code: 'DataCenter.Throttling', retryAfterSeconds: 0 },
      times: 4,
    });
    const paths = await batch('throttled', 4);
    const { results, addFileCalls } = await expectExactlyOnce('throttled', paths);
    expect(addFileCalls).toHaveLength(8);
    expect(results.every((result) => result.status === 'fulfilled' && result.value.leases === 1)).toBe(true);
  });

  it('503: looked up, not found, sent again with the same lease', async () => {
    await context.admin.addFault({ route: 'AddFile', fault: { type: 'status', status: 503 }, times: 3 });
    const paths = await batch('unavailable', 4);
    const { addFileCalls } = await expectExactlyOnce('unavailable', paths);
    expect(addFileCalls).toHaveLength(7);
  });

  it('a 200 with Success: false: not taken as success, added once in the end', async () => {
    await context.admin.addFault({
      route: 'AddFile',
      fault: { type: 'successFalse', code: 'DataCenter.InternalError', message: 'internal error' },
      times: 2,
    });
    const paths = await batch('success-false', 3);
    const { addFileCalls } = await expectExactlyOnce('success-false', paths);
    // The two refused calls reached the service and were answered 200 (DataCenter.InternalError is transient, but
    // AddFile is never simply sent again for it): each was looked up, not found, and sent again with the same lease.
    expect(addFileCalls.filter((call) => call.fault === 'successFalse')).toHaveLength(2);
    expect(addFileCalls.every((call) => call.status === 200)).toBe(true);
    expect(addFileCalls).toHaveLength(5);
  });
});
