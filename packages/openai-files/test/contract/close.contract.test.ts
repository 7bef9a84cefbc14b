import { createRateLimiter } from '@x/ratelimit';
import { bearer, createTransport } from '@x/transport';
import { describe, expect, it } from 'vitest';
import { createFilesClient, InvalidInputError } from '../../src/index.js';
import { contractContext } from './contract-context.js';

const context = await contractContext();

describe('close', () => {
  it("refuses every call afterwards and leaves the caller's transport and limiter working", async () => {
    const limiter = createRateLimiter({ limit: 100, intervalMs: 1000 });
    const transport = createTransport({
      baseUrl: `${context.url}/compatible-mode/v1`,
      auth: bearer(context.apiKey),
      limiter,
    });
    const files = createFilesClient({ transport });
    expect((await files.list({ limit: 1 })).object).toBe('list');
    const fileId = `file-closed-${Date.now().toString(36)}`;
    await files.close();
    await files.close();
    for (const call of [() => files.list(), () => files.retrieve(fileId), () => files.content(fileId)]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(InvalidInputError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'CLIENT_CLOSED', message: 'This files client was closed' });
    }
    expect((await context.admin.calls()).filter((call) => call.path.includes(fileId))).toEqual([]);

    const response = await transport.request({ method: 'GET', path: '/files', limitKey: 'files:caller' });
    expect(response.status).toBe(200);
    await transport.close();
    await limiter.close();
  });
});
