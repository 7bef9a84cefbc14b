import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acs3, createTransport, type Transport } from '@x/transport';
import { describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../src/index.js';
import { contractContext, pdfBytes } from './contract-context.js';

const context = await contractContext();

describe('uploadMany with a manifest', () => {
  it('resumes an aborted batch: every document added exactly once, none lost', async () => {
    const count = 12;
    const paths = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        context.file(`resume-${index}.pdf`, pdfBytes(`resume ${index}`)),
      ),
    );
    const manifest = join(context.directory, 'batch.jsonl');
    const before = (await context.admin.calls({ route: 'AddFile' })).length;

    // The first run is aborted right after its fifth AddFile reached the service, before its answer was read.
    const controller = new AbortController();
    const inner = createTransport({ baseUrl: context.url, auth: acs3(context.credentials) });
    let addFiles = 0;
    const transport: Transport = {
      async request(request) {
        const response = await inner.request(request);
        if (request.operation === 'AddFile' && ++addFiles === 5) {
          controller.abort(new Error('interrupted'));
          request.signal?.throwIfAborted();
        }
        return response;
      },
      close: () => inner.close(),
    };
    const first = await context
      .client({ transport })
      .uploadMany(paths, { concurrency: 2, manifest, wait: false, signal: controller.signal })
      .catch((error: unknown) => error);
    expect((first as Error).message).toBe('interrupted');
    await transport.close();
    const lines = (await readFile(manifest, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ManifestEntry);
    expect(lines.some((line) => line.status === 'leased')).toBe(true);
    expect(lines.filter((line) => line.status === 'added').length).toBeGreaterThanOrEqual(4);
    expect(
      lines.every((line) => line.source && line.md5 && typeof line.size === 'number' && line.mtime),
    ).toBe(true);

    // The rerun skips what was added, settles the AddFile left in flight, and does the rest.
    const second = await context.client().uploadMany(paths, { concurrency: 3, manifest, wait: false });
    expect(second.every((result) => result.status === 'fulfilled')).toBe(true);
    const documents = second.map((result) => (result.status === 'fulfilled' ? result.value : undefined)!);
    expect(documents.filter((document) => document.skipped).length).toBeGreaterThanOrEqual(4);
    expect(documents.some((document) => !document.skipped && document.wasFoundByLookup)).toBe(true);
    expect(new Set(documents.map((document) => document.fileId)).size).toBe(count);

    const addFileCalls = (await context.admin.calls({ route: 'AddFile' })).slice(before);
    expect(addFileCalls).toHaveLength(count);
    for (let index = 0; index < count; index += 1) {
      const named: string[] = [];
      for await (const file of context.client().listFiles({ fileName: `resume-${index}` }))
        named.push(file.FileId);
      expect(named).toEqual([documents[index]!.fileId]);
    }

    // A third run sends nothing at all.
    const callsBefore = (await context.admin.calls()).length;
    const third = await context.client().uploadMany(paths, { manifest, wait: false });
    expect(third.every((result) => result.status === 'fulfilled' && result.value.skipped)).toBe(true);
    expect((await context.admin.calls()).length).toBe(callsBefore);
  });
});
