import { createModelStudioLimiter } from '@x/ratelimit';
import { afterEach, describe, expect, it } from 'vitest';
import { createTransport, InvalidInputError, jsonBody, type Transport } from '../src/index.js';
import { type LoopbackServer, sendJson, startServer } from './helpers.js';

describe('limitKey', () => {
  let server: LoopbackServer | undefined;
  let transport: Transport | undefined;
  afterEach(async () => {
    await transport?.close();
    await server?.close();
  });

  it('is a typed INVALID_LIMIT_KEY error naming the key when the limiter knows no such quota, before any byte', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    const limiter = createModelStudioLimiter();
    transport = createTransport({ baseUrl: server.url, limiter });
    const error = await transport
      .request({ method: 'POST', path: '/a', body: jsonBody({}), limitKey: 'bailian:ApplyFileUploadLease' })
      .catch((caught: unknown) => caught);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INVALID_LIMIT_KEY', isRetryable: false, attempts: 1 });
    expect((error as Error).message).toMatch(/limitKey "bailian:ApplyFileUploadLease"/);
    expect((error as Error).message).toMatch(/applyFileUploadLease/);
    expect(server.requests).toHaveLength(0);

    // The documented scheme, "<quota>:<account>", goes through.
    const response = await transport.request({
      method: 'POST',
      path: '/a',
      body: jsonBody({}),
      limitKey: 'applyFileUploadLease:llm-emulator',
    });
    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(1);
    await limiter.close();
  });

  it('passes an abort through as the signal reason', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    const limiter = createModelStudioLimiter();
    transport = createTransport({ baseUrl: server.url, limiter });
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(
      transport.request({ method: 'GET', path: '/a', limitKey: 'files:acct', signal: controller.signal }),
    ).rejects.toBe(reason);
    await limiter.close();
  });
});
