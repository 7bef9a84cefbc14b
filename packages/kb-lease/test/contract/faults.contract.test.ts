import { acs3, createTransport, NetworkError, type Transport } from '@x/transport';
import { afterEach, describe, expect, it } from 'vitest';
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
async function expectExactlyOnce(prefix: string, paths: string[], transport?: Transport) {
  const before = (await context.admin.calls({ route: 'AddFile' })).length;
  const client = context.client(transport ? { transport } : {});
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
  it('a reset while AddFile answers (the file was added): found by lookup, not added again', async () => {
    await context.admin.addFault({ route: 'AddFile', fault: { type: 'reset', phase: 'response' }, times: 3 });
    const paths = await batch('reset-response', 5);
    const { results, addFileCalls } = await expectExactlyOnce('reset-response', paths);
    // Each faulted document is either found by the lookup (one AddFile) or, when the emulator dropped the call before
    // acting on it, started over with a new lease (two AddFile calls).
    const found = results.filter(
      (result) => result.status === 'fulfilled' && result.value.wasFoundByLookup,
    ).length;
    expect(addFileCalls).toHaveLength(5 + 3 - found);
  });

  it('an AddFile whose answer is lost after the service added the file: found by lookup, never added twice', async () => {
    const inner = createTransport({ baseUrl: context.url, auth: acs3(context.credentials) });
    let lost = 0;
    const transport: Transport = {
      async request(request) {
        const response = await inner.request(request);
        if (request.operation === 'AddFile' && lost < 3) {
          lost += 1;
          throw new NetworkError('PUT /datacenter/file: connection failed (ECONNRESET)', {
            operation: 'AddFile',
          });
        }
        return response;
      },
      close: () => inner.close(),
    };
    const paths = await batch('answer-lost', 4);
    const { results, addFileCalls } = await expectExactlyOnce('answer-lost', paths, transport);
    expect(addFileCalls).toHaveLength(4);
    expect(
      results.filter((result) => result.status === 'fulfilled' && result.value.wasFoundByLookup),
    ).toHaveLength(3);
    await transport.close();
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
    const isSupported = await context.admin
      .addFault({
        route: 'AddFile',
        fault: {
          type: 'status',
          status: 200,
          code: 'DataCenter.InternalError',
          message: 'internal error',
        } as never,
        times: 2,
      })
      .then(
        () => true,
        () => false,
      );
    let transport: (Transport & { refused: number }) | undefined;
    if (!isSupported) {
      // This emulator cannot answer 200 with Success: false yet: the first two AddFile calls get that answer here,
      // without reaching the service, exactly as a refusing service would send it.
      const inner = createTransport({ baseUrl: context.url, auth: acs3(context.credentials) });
      const wrapped = {
        refused: 0,
        async request(request: Parameters<Transport['request']>[0]) {
          if (request.operation === 'AddFile' && wrapped.refused < 2) {
            wrapped.refused += 1;
            const body = {
              RequestId: 'refused',
              Success: false,
              Code: 'DataCenter.InternalError',
              Message: 'internal error',
              Status: '200',
            };
            const parsed = request.schema ? request.schema.parse(body) : body;
            return {
              status: 200,
              headers: {},
              body: parsed,
              requestId: 'refused',
              attempts: 1,
              totalDelayMs: 0,
            };
          }
          return inner.request(request);
        },
        close: () => inner.close(),
      };
      transport = wrapped as never;
    }
    const paths = await batch('success-false', 3);
    await expectExactlyOnce('success-false', paths, transport);
    if (transport) expect(transport.refused).toBe(2);
    await transport?.close();
  });
});
