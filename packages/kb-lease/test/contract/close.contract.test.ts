import { createRateLimiter } from '@x/ratelimit';
import { acs3, createTransport, InvalidInputError } from '@x/transport';
import { describe, expect, it } from 'vitest';
import { createKnowledgeBaseClient } from '../../src/index.js';
import { contractContext } from './contract-context.js';

const context = await contractContext();

describe('close', () => {
  it("refuses every call afterwards and leaves the caller's transport and limiter working", async () => {
    const limiter = createRateLimiter({ limit: 100, intervalMs: 1000 });
    const transport = createTransport({ baseUrl: context.url, auth: acs3(context.credentials), limiter });
    const client = createKnowledgeBaseClient({ workspaceId: context.workspaceId, transport });
    const fileId = `file_closed_${Date.now().toString(36)}`;
    await client.close();
    await client.close();
    const calls = [
      () => client.describeFile(fileId),
      () => client.deleteFile(fileId),
      () => client.listFiles()[Symbol.asyncIterator]().next(),
      () => client.uploadDocument(context.directory),
    ];
    for (const call of calls) {
      const error = await call().catch((caught: unknown) => caught);
      expect(InvalidInputError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'CLIENT_CLOSED',
        message: 'This knowledge-base client was closed',
      });
    }
    expect((await context.admin.calls()).filter((call) => call.path.includes(fileId))).toEqual([]);

    // The caller's transport and limiter were not closed with the client.
    const open = createKnowledgeBaseClient({ workspaceId: context.workspaceId, transport });
    expect(await open.listFiles()[Symbol.asyncIterator]().next()).toMatchObject({
      done: expect.any(Boolean),
    });
    await open.close();
    await transport.close();
    await limiter.close();
  });
});
