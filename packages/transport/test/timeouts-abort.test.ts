import { afterEach, describe, expect, it } from 'vitest';
import { createTransport, streamBody, TimeoutError, type Transport } from '../src/index.js';
import { toTransportError } from '../src/to-transport-error.js';
import { type LoopbackServer, sendJson, startServer } from './helpers.js';

let server: LoopbackServer | undefined;
let transport: Transport | undefined;
afterEach(async () => {
  await transport?.close();
  await server?.close();
  transport = undefined;
  server = undefined;
});

const chunk = Buffer.alloc(1 << 20, 7);

/** An endless-looking body that records when it is torn down. */
function endlessBody(state: { closedAt?: number; producedBytes: number }) {
  return async function* () {
    try {
      for (;;) {
        state.producedBytes += chunk.byteLength;
        yield chunk;
      }
    } finally {
      state.closedAt = performance.now();
    }
  };
}

describe('abort', () => {
  it('stops an upload at the abort: rejects with the signal reason, reads at most one more chunk, closes the source', async () => {
    let serverSawClose = 0;
    server = await startServer(
      (request) => {
        request.on('data', () => {});
        request.on('close', () => {
          serverSawClose = performance.now();
        });
      },
      { readBody: false },
    );
    transport = createTransport({ baseUrl: server.url });
    const controller = new AbortController();
    const reason = new Error('stop the upload');
    const state: { closedAt?: number; producedBytes: number } = { producedBytes: 0 };
    let abortedAt = 0;
    let producedAtAbort = 0;
    const pending = transport.request({
      method: 'PUT',
      path: '/big',
      body: streamBody(endlessBody(state), { sizeBytes: 8 * 1024 * 1024 * 1024 }),
      signal: controller.signal,
      onProgress: ({ loadedBytes }) => {
        if (loadedBytes >= 16 * (1 << 20) && abortedAt === 0) {
          abortedAt = performance.now();
          producedAtAbort = state.producedBytes;
          controller.abort(reason);
        }
      },
    });
    const error = await pending.catch((caught: unknown) => caught);
    expect(error).toBe(reason);
    expect(abortedAt).toBeGreaterThan(0);
    // The source is closed and the connection dropped (bounded by events, not by the machine's speed).
    for (
      let waited = 0;
      (state.closedAt === undefined || serverSawClose === 0) && waited < 30_000;
      waited += 10
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(state.closedAt).toBeDefined();
    expect(serverSawClose).toBeGreaterThan(0);
    // Nothing is pulled from the source once the attempt is aborted: at most the chunk already being read, counted
    // in bytes, so it holds however slowly the machine tears the connection down.
    expect(state.producedBytes - producedAtAbort).toBeLessThanOrEqual(chunk.byteLength);
  });

  it('rejects at once with the reason of an already aborted signal, sending nothing', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url });
    const reason = new Error('already');
    const error = await transport
      .request({ method: 'GET', path: '/x', signal: AbortSignal.abort(reason) })
      .catch((caught: unknown) => caught);
    expect(error).toBe(reason);
    expect(server.requests).toHaveLength(0);
  });
});

describe('timeouts', () => {
  it('fires the stall timeout on a server that stops reading the upload', async () => {
    server = await startServer(
      (request) => {
        request.pause();
      },
      { readBody: false },
    );
    transport = createTransport({
      baseUrl: server.url,
      retry: false,
      timeouts: { stallMs: 300, headersMs: 10_000 },
    });
    const state = { producedBytes: 0 };
    let loadedBytes = 0;
    const error = await transport
      .request({
        method: 'PUT',
        path: '/o',
        body: streamBody(endlessBody(state), { sizeBytes: 8 * 1024 * 1024 * 1024 }),
        onProgress: (progress) => {
          loadedBytes = progress.loadedBytes;
        },
      })
      .catch((caught: unknown) => caught);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as TimeoutError).phase).toBe('stall');
    expect((error as TimeoutError).code).toBe('TIMEOUT');
    expect((error as TimeoutError).message).toMatch(/PUT \/o: no upload progress for 300 ms/);
    // The upload did start and then stopped: far less than the declared size was produced.
    expect(state.producedBytes).toBeGreaterThan(0);
    expect(state.producedBytes).toBeLessThan(512 * (1 << 20));
    // Progress counts what the socket took, not what was read: the chunk stuck in the socket is not counted.
    expect(loadedBytes).toBeGreaterThan(0);
    expect(state.producedBytes - loadedBytes).toBe(chunk.byteLength);
  });

  it('fires the headers timeout when the server never answers, and retries only the idempotent call', async () => {
    server = await startServer(() => {});
    transport = createTransport({
      baseUrl: server.url,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      timeouts: { headersMs: 300, stallMs: 10_000 },
    });
    const post = await transport.request({ method: 'POST', path: '/p' }).catch((caught: unknown) => caught);
    expect(TimeoutError.isInstance(post) && post.phase).toBe('headers');
    expect(server.requests).toHaveLength(1);
    const get = await transport.request({ method: 'GET', path: '/g' }).catch((caught: unknown) => caught);
    expect((get as Error).name).toBe('RetriesExhaustedError');
    expect(server.requests).toHaveLength(3);
  });

  it('fires the stall timeout when the response body stops', async () => {
    server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"partial":');
    });
    transport = createTransport({ baseUrl: server.url, retry: false, timeouts: { stallMs: 300 } });
    const error = await transport
      .request({ method: 'GET', path: '/slow' })
      .catch((caught: unknown) => caught);
    expect(TimeoutError.isInstance(error) && error.phase).toBe('stall');
  });

  it('maps a connect timeout to phase "connect"', () => {
    const error = toTransportError(
      Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' }),
      {
        label: 'GET /x',
        operation: undefined,
        secrets: [],
        connectMs: 10,
        headersMs: 10,
        stallMs: 10,
      },
    );
    expect(TimeoutError.isInstance(error) && error.phase).toBe('connect');
  });
});
