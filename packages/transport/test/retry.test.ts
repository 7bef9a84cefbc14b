import { once } from 'node:events';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acs3,
  bytesBody,
  createTransport,
  HttpStatusError,
  type Limiter,
  NetworkError,
  RetriesExhaustedError,
  streamBody,
  type Transport,
} from '../src/index.js';
import { type LoopbackServer, sendJson, startServer } from './helpers.js';

let server: LoopbackServer | undefined;
let transport: Transport | undefined;
afterEach(async () => {
  await transport?.close();
  await server?.close();
  transport = undefined;
  server = undefined;
});

const fastRetry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

/** A server that answers `statuses[i]` to the i-th request, then 200. */
async function statusServer(statuses: number[], headers: Record<string, string> = {}) {
  server = await startServer((_request, response, index) => {
    const status = statuses[index] ?? 200;
    sendJson(
      response,
      status,
      status < 400 ? { ok: true } : { Code: `E${status}`, RequestId: `r${index}` },
      headers,
    );
  });
  transport = createTransport({ baseUrl: server.url, retry: fastRetry });
  return { server, transport };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('retries of idempotent requests', () => {
  for (const status of [408, 429, 500, 502, 503, 504]) {
    it(`retries a GET answered ${status}, then succeeds (2 requests)`, async () => {
      const { server, transport } = await statusServer([status]);
      const response = await transport.request({ method: 'GET', path: '/files' });
      expect(response.body).toEqual({ ok: true });
      expect(response.attempts).toBe(2);
      expect(server.requests).toHaveLength(2);
    });
  }

  for (const status of [400, 401, 403, 404, 409]) {
    it(`does not retry a GET answered ${status} (1 request)`, async () => {
      const { server, transport } = await statusServer([status]);
      const error = await transport
        .request({ method: 'GET', path: '/files' })
        .catch((caught: unknown) => caught);
      expect(HttpStatusError.isInstance(error)).toBe(true);
      expect((error as HttpStatusError).status).toBe(status);
      expect((error as HttpStatusError).serviceCode).toBe(`E${status}`);
      expect((error as HttpStatusError).requestId).toBe('r0');
      expect(server.requests).toHaveLength(1);
    });
  }

  it('gives up after maxAttempts with RetriesExhaustedError carrying the last error (3 requests)', async () => {
    const { server, transport } = await statusServer([503, 503, 503, 503]);
    const error = await transport
      .request({ method: 'DELETE', path: '/files/1' })
      .catch((caught: unknown) => caught);
    expect(RetriesExhaustedError.isInstance(error)).toBe(true);
    const exhausted = error as RetriesExhaustedError;
    expect(exhausted.code).toBe('RETRIES_EXHAUSTED');
    expect(exhausted.attempts).toBe(3);
    expect(HttpStatusError.isInstance(exhausted.cause) && exhausted.cause.status).toBe(503);
    expect(exhausted.cause.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  it('retries a GET whose connection was dropped before the response (2 requests)', async () => {
    server = await startServer((request, response, index) => {
      if (index === 0) request.socket.destroy();
      else sendJson(response, 200, { ok: true });
    });
    transport = createTransport({ baseUrl: server.url, retry: fastRetry });
    const response = await transport.request({ method: 'GET', path: '/x' });
    expect(response.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it('stops retrying at the deadline', async () => {
    const { server, transport } = await statusServer([503, 503, 503, 503, 503, 503], {
      'retry-after-ms': '300',
    });
    const error = await transport.request({ method: 'GET', path: '/x' }).catch((caught: unknown) => caught);
    expect(RetriesExhaustedError.isInstance(error)).toBe(true);
    expect(server.requests).toHaveLength(3);
    await transport.close();
    server.requests.length = 0;
    const started = performance.now();
    const limited = createTransport({
      baseUrl: server.url,
      retry: { ...fastRetry, maxAttempts: 10, deadlineMs: 1000 },
    });
    const deadlineError = await limited
      .request({ method: 'GET', path: '/x' })
      .catch((caught: unknown) => caught);
    const elapsedMs = performance.now() - started;
    await limited.close();
    expect(RetriesExhaustedError.isInstance(deadlineError)).toBe(true);
    // Each retry waits the 300 ms the server asked for, and none starts whose wait would end past the 1000 ms
    // deadline: at most 3 waits fit (0, 300, 600, 900), so at most 4 requests of the 10 allowed, however fast the
    // machine. A slow one sends fewer, never more; at least one retry fits unless an attempt took 700 ms.
    const sent = server.requests.length;
    expect(sent).toBeGreaterThanOrEqual(2);
    expect(sent).toBeLessThanOrEqual(4);
    // Waits are never shorter than asked: a lower bound, so it holds on any machine.
    expect(elapsedMs).toBeGreaterThanOrEqual((sent - 1) * 299);
    // And a deadline shorter than the first wait means no retry at all, on any machine.
    server.requests.length = 0;
    const tight = createTransport({
      baseUrl: server.url,
      retry: { ...fastRetry, maxAttempts: 10, deadlineMs: 299 },
    });
    expect(
      RetriesExhaustedError.isInstance(
        await tight.request({ method: 'GET', path: '/x' }).catch((caught: unknown) => caught),
      ),
    ).toBe(true);
    await tight.close();
    expect(server.requests).toHaveLength(1);
  });
});

describe('non-idempotent requests', () => {
  for (const status of [500, 502, 503, 504, 408]) {
    it(`never retries a POST answered ${status} (1 request)`, async () => {
      const { server, transport } = await statusServer([status]);
      const error = await transport
        .request({ method: 'POST', path: '/files', body: bytesBody('x') })
        .catch((caught: unknown) => caught);
      expect(HttpStatusError.isInstance(error)).toBe(true);
      expect((error as HttpStatusError).isRetryable).toBe(true);
      expect(server.requests).toHaveLength(1);
    });
  }

  it('does not retry a throttled POST unless retryThrottled says nothing was done', async () => {
    const { server, transport } = await statusServer([429, 429]);
    const error = await transport.request({ method: 'POST', path: '/a' }).catch((caught: unknown) => caught);
    expect(HttpStatusError.isInstance(error) && error.status).toBe(429);
    expect(server.requests).toHaveLength(1);
    const response = await transport.request({ method: 'POST', path: '/a', retryThrottled: true });
    expect(response.attempts).toBe(2);
    expect(server.requests).toHaveLength(3);
  });

  it('treats a 400 whose service code names throttling like a 429 for retryThrottled', async () => {
    server = await startServer((_request, response, index) => {
      if (index === 0)
        sendJson(response, 400, { Code: 'DataCenter.Throttling', Message: 'Requests throttling triggered.' });
      else sendJson(response, 200, { ok: true });
    });
    transport = createTransport({ baseUrl: server.url, retry: fastRetry });
    const response = await transport.request({ method: 'POST', path: '/a', retryThrottled: true });
    expect(response.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it('never retries a POST whose connection dropped after the body was sent (1 request)', async () => {
    server = await startServer((request) => request.socket.destroy());
    transport = createTransport({ baseUrl: server.url, retry: fastRetry });
    const error = await transport
      .request({ method: 'POST', path: '/files', body: bytesBody('payload') })
      .catch((caught: unknown) => caught);
    expect(NetworkError.isInstance(error)).toBe(true);
    expect((error as NetworkError).isConnectError).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a POST whose connection was refused: it provably never reached the server', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    transport = createTransport({ baseUrl, retry: fastRetry });
    const refused = await transport
      .request({ method: 'POST', path: '/a' })
      .catch((caught: unknown) => caught);
    expect(RetriesExhaustedError.isInstance(refused)).toBe(true);
    expect((refused as RetriesExhaustedError).attempts).toBe(3);
    const cause = (refused as RetriesExhaustedError).cause;
    expect(NetworkError.isInstance(cause) && cause.isConnectError).toBe(true);
    await transport.close();

    // Refused once; the server comes up before the second attempt, which lands exactly once.
    let acquisitions = 0;
    const limiter: Limiter = {
      async acquire() {
        acquisitions += 1;
        if (acquisitions === 2)
          server = await startServer((_request, response) => sendJson(response, 200, {}), { port });
      },
    };
    transport = createTransport({ baseUrl, retry: fastRetry, limiter });
    const response = await transport.request({
      method: 'POST',
      path: '/a',
      body: bytesBody('once'),
      limitKey: 'k',
    });
    expect(response.attempts).toBe(2);
    expect(server?.requests).toHaveLength(1);
    expect(server?.requests[0]?.body.toString()).toBe('once');
  });
});

describe('bodies and retries', () => {
  it('never resends a consumed stream: a bare stream PUT answered 503 is sent once', async () => {
    const { server, transport } = await statusServer([503]);
    const error = await transport
      .request({
        method: 'PUT',
        path: '/o',
        body: streamBody(Readable.from([Buffer.from('abc')]), { sizeBytes: 3 }),
      })
      .catch((caught: unknown) => caught);
    expect(HttpStatusError.isInstance(error) && error.status).toBe(503);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body.toString()).toBe('abc');
  });

  it('reopens a stream factory for the retry: the server gets the full body twice', async () => {
    const { server, transport } = await statusServer([503]);
    let opened = 0;
    const response = await transport.request({
      method: 'PUT',
      path: '/o',
      body: streamBody(
        () => {
          opened += 1;
          return Readable.from([Buffer.from('hello '), Buffer.from('world')]);
        },
        { sizeBytes: 11 },
      ),
    });
    expect(response.attempts).toBe(2);
    expect(opened).toBe(2);
    expect(server.requests.map((request) => request.body.toString())).toEqual(['hello world', 'hello world']);
    expect(server.requests.map((request) => request.headers['content-length'])).toEqual(['11', '11']);
    expect(server.requests[0]?.headers['transfer-encoding']).toBeUndefined();
  });

  it('sends a bare stream again when the connection was refused before any byte was read from it', async () => {
    const port = await freePort();
    let acquisitions = 0;
    const limiter: Limiter = {
      async acquire() {
        acquisitions += 1;
        if (acquisitions === 2)
          server = await startServer((_request, response) => sendJson(response, 200, {}), { port });
      },
    };
    transport = createTransport({ baseUrl: `http://127.0.0.1:${port}`, retry: fastRetry, limiter });
    const response = await transport.request({
      method: 'POST',
      path: '/o',
      body: streamBody(Readable.from([Buffer.from('one shot')]), { sizeBytes: 8 }),
      limitKey: 'k',
    });
    expect(response.attempts).toBe(2);
    expect(server?.requests.map((request) => request.body.toString())).toEqual(['one shot']);
  });
});

describe('Retry-After', () => {
  it('waits retry-after-ms before the retry, and records the delay', async () => {
    const times: number[] = [];
    server = await startServer((_request, response, index) => {
      times.push(performance.now());
      if (index === 0) sendJson(response, 503, { Code: 'Busy' }, { 'retry-after-ms': '250' });
      else sendJson(response, 200, { ok: true });
    });
    transport = createTransport({ baseUrl: server.url, retry: fastRetry });
    const response = await transport.request({ method: 'GET', path: '/x' });
    expect(response.totalDelayMs).toBe(250);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(245);
  });

  it('waits Retry-After seconds on a 429 and tells the limiter', async () => {
    const times: number[] = [];
    server = await startServer((_request, response, index) => {
      times.push(performance.now());
      if (index === 0) sendJson(response, 429, { Code: 'Throttling.User' }, { 'retry-after': '1' });
      else sendJson(response, 200, { ok: true });
    });
    const events: string[] = [];
    const limiter: Limiter = {
      async acquire(key) {
        events.push(`acquire:${key}`);
      },
      penalize(key, retryAfterMs) {
        events.push(`penalize:${key}:${retryAfterMs}`);
      },
    };
    transport = createTransport({ baseUrl: server.url, retry: fastRetry, limiter });
    const response = await transport.request({ method: 'GET', path: '/x', limitKey: 'files' });
    expect(response.attempts).toBe(2);
    expect(response.totalDelayMs).toBe(1000);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(990);
    expect(events).toEqual(['acquire:files', 'penalize:files:1000', 'acquire:files']);
  });

  it('waits an HTTP-date Retry-After', async () => {
    server = await startServer((_request, response, index) => {
      if (index === 0)
        sendJson(response, 503, {}, { 'retry-after': new Date(Date.now() + 2000).toUTCString() });
      else sendJson(response, 200, {});
    });
    transport = createTransport({ baseUrl: server.url, retry: fastRetry });
    const response = await transport.request({ method: 'GET', path: '/x' });
    expect(response.totalDelayMs).toBeGreaterThan(900);
    expect(response.totalDelayMs).toBeLessThanOrEqual(2000);
  });
});

describe('order of wrappers: retry -> rate limit -> sign -> dispatch', () => {
  it('acquires the limiter and signs afresh before every attempt', async () => {
    const events: string[] = [];
    server = await startServer((request, response, index) => {
      events.push(`dispatch:${request.headers['x-acs-signature-nonce']}`);
      sendJson(response, index < 2 ? 503 : 200, {});
    });
    let nonce = 0;
    const limiter: Limiter = {
      async acquire() {
        events.push('acquire');
        return () => events.push('release');
      },
    };
    transport = createTransport({
      baseUrl: server.url,
      retry: fastRetry,
      limiter,
      auth: acs3(
        { accessKeyId: 'id', accessKeySecret: 'secret' },
        {
          nonce: () => {
            events.push(`sign:${nonce}`);
            return String(nonce++);
          },
        },
      ),
    });
    const response = await transport.request({ method: 'GET', path: '/x', limitKey: 'k' });
    expect(response.attempts).toBe(3);
    expect(events).toEqual([
      'acquire',
      'sign:0',
      'dispatch:0',
      'release',
      'acquire',
      'sign:1',
      'dispatch:1',
      'release',
      'acquire',
      'sign:2',
      'dispatch:2',
      'release',
    ]);
  });

  it('rethrows a limiter failure as it is, without sending or retrying', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    const failure = new Error('redis is down');
    let acquisitions = 0;
    transport = createTransport({
      baseUrl: server.url,
      retry: fastRetry,
      limiter: {
        async acquire() {
          acquisitions += 1;
          throw failure;
        },
      },
    });
    const error = await transport
      .request({ method: 'GET', path: '/x', limitKey: 'k' })
      .catch((caught: unknown) => caught);
    expect(error).toBe(failure);
    expect(acquisitions).toBe(1);
    expect(server.requests).toHaveLength(0);
  });

  it('rejects with the signal reason when aborted during a backoff wait', async () => {
    const { transport } = await statusServer([503, 503], { 'retry-after-ms': '5000' });
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    setTimeout(() => controller.abort(reason), 100);
    const error = await transport
      .request({ method: 'GET', path: '/x', signal: controller.signal })
      .catch((caught: unknown) => caught);
    expect(error).toBe(reason);
  });
});
