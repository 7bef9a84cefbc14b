import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Agent, ProxyAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bytesBody,
  ConfigurationError,
  createTransport,
  HttpStatusError,
  InvalidInputError,
  multipartBody,
  streamBody,
  TimeoutError,
  type Transport,
} from '../src/index.js';
import { type LoopbackServer, sendJson, startServer } from './helpers.js';

const certificate = readFileSync(new URL('./fixtures/tls-localhost.crt', import.meta.url));
const key = readFileSync(new URL('./fixtures/tls-localhost.key', import.meta.url));

let server: LoopbackServer | undefined;
let transport: Transport | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await transport?.close();
  await server?.close();
  transport = undefined;
  server = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function failingSource(): AsyncGenerator<Uint8Array> {
  return (async function* () {
    yield Buffer.alloc(1000, 1);
    throw Object.assign(new Error('disk went away'), { code: 'EIO' });
  })();
}

describe('a failing body source', () => {
  const bodies = {
    'a stream factory': () => streamBody(() => Readable.from(failingSource()), { sizeBytes: 5000 }),
    'a bare async iterable': () => streamBody(Readable.from(failingSource()), { sizeBytes: 5000 }),
    'a web stream': () =>
      streamBody(() => Readable.toWeb(Readable.from(failingSource())) as never, { sizeBytes: 5000 }),
    'a multipart stream part': () =>
      multipartBody([{ name: 'file', file: { stream: () => failingSource(), sizeBytes: 5000 } }]),
    'a factory that throws when opened': () =>
      streamBody(
        () => {
          throw new Error('cannot open');
        },
        { sizeBytes: 5000 },
      ),
  };

  it.each(Object.keys(bodies))(
    'is the caller input failing, not retried, with the original cause: %s',
    async (kind) => {
      server = await startServer((_request, response) => sendJson(response, 200, {}), { readBody: true });
      transport = createTransport({
        baseUrl: server.url,
        retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
      });
      const error = await transport
        .request({ method: 'PUT', path: '/object', body: bodies[kind as keyof typeof bodies]() })
        .catch((caught: unknown) => caught);
      expect(InvalidInputError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'BODY_SOURCE_FAILED',
        isRetryable: false,
        attempts: 1,
        delivery: 'not-delivered',
      });
      expect((error as Error).cause).toBeInstanceOf(Error);
      expect(((error as Error).cause as Error).message).toMatch(/disk went away|cannot open/);
    },
  );
});

describe('statuses other than the documented success', () => {
  it.each([301, 302, 307, 308])(
    'a %i is an HttpStatusError naming the status and the Location, never success',
    async (status) => {
      server = await startServer((_request, response) => {
        response.writeHead(status, {
          location: 'https://elsewhere.example.com/bucket/key?Signature=secret123',
        });
        response.end();
      });
      transport = createTransport({ baseUrl: server.url, retry: false });
      for (const request of [
        { method: 'POST' as const, path: '/upload', body: bytesBody('x') },
        { method: 'GET' as const, path: '/files' },
      ]) {
        const error = await transport.request(request).catch((caught: unknown) => caught);
        expect(HttpStatusError.isInstance(error)).toBe(true);
        expect(error).toMatchObject({ status, isRetryable: false, delivery: 'answered' });
        expect((error as HttpStatusError).location).toMatch(
          /^https:\/\/elsewhere\.example\.com\/bucket\/key/,
        );
        expect((error as Error).message).toContain(`${status} `);
        expect((error as Error).message).toContain('Location: https://elsewhere.example.com/bucket/key');
        expect((error as Error).message).not.toContain('secret123');
      }
    },
  );

  it('a 2xx the call does not expect is an error too', async () => {
    server = await startServer((_request, response) => {
      response.writeHead(204);
      response.end();
    });
    transport = createTransport({ baseUrl: server.url, retry: false });
    await expect(
      transport.request({ method: 'POST', path: '/upload', expectedStatus: 200, responseType: 'text' }),
    ).rejects.toMatchObject({ code: 'HTTP_STATUS', status: 204 });
  });
});

describe('faults before any byte leaves', () => {
  async function httpsServer(): Promise<{ url: string; connections: () => number }> {
    let connections = 0;
    const tls = createHttpsServer({ cert: certificate, key }, (_request, response) => {
      response.end('{}');
    });
    tls.on('connection', () => {
      connections += 1;
    });
    tls.listen(0, '127.0.0.1');
    await new Promise((resolve) => tls.once('listening', resolve));
    cleanups.push(() => new Promise<void>((resolve) => tls.close(() => resolve())));
    return {
      url: `https://127.0.0.1:${(tls.address() as AddressInfo).port}`,
      connections: () => connections,
    };
  }

  it('a self-signed certificate is a configuration error, not retried, nothing sent, even on POST', async () => {
    const tls = await httpsServer();
    transport = createTransport({
      baseUrl: tls.url,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const error = await transport
      .request({ method: 'POST', path: '/files', body: bytesBody('x') })
      .catch((caught: unknown) => caught);
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'TLS_CERTIFICATE',
      isRetryable: false,
      attempts: 1,
      delivery: 'not-delivered',
    });
    expect((error as Error).message).toContain('nothing was sent');
    expect(tls.connections()).toBe(1);
  });

  it('a certificate for another host name is a configuration error', async () => {
    const tls = await httpsServer();
    const dispatcher = new Agent({ connect: { ca: certificate } });
    cleanups.push(() => dispatcher.close());
    transport = createTransport({
      baseUrl: tls.url,
      dispatcher,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const error = await transport
      .request({ method: 'GET', path: '/files' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'TLS_CERTIFICATE', attempts: 1 });
    expect((error as Error).message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    // Trusted and for the right name, the same server answers.
    const good = createTransport({ baseUrl: tls.url.replace('127.0.0.1', 'localhost'), dispatcher });
    cleanups.push(() => good.close());
    await expect(good.request({ method: 'GET', path: '/files' })).resolves.toMatchObject({ status: 200 });
  });

  it('a header the HTTP client refuses is the caller input, not a connection failure, and is not retried', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({
      baseUrl: server.url,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const error = await transport
      .request({ method: 'PUT', path: '/x', headers: { Expect: '100-continue' }, body: bytesBody('x') })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'HEADER_NOT_SUPPORTED',
      isRetryable: false,
      attempts: 1,
      delivery: 'not-delivered',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('a refused connection is provably not delivered: a POST is retried and says so', async () => {
    const probe = await startServer(() => undefined);
    const url = probe.url;
    await probe.close();
    transport = createTransport({ baseUrl: url, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const error = await transport
      .request({ method: 'POST', path: '/x', body: bytesBody('x') })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'RETRIES_EXHAUSTED', attempts: 2, delivery: 'not-delivered' });
    expect((error as Error).message).toContain('nothing was sent');
  });

  it('a reset after the request was sent says it may or may not have reached the service', async () => {
    server = await startServer((request) => request.socket.destroy());
    transport = createTransport({ baseUrl: server.url, retry: false });
    const error = await transport
      .request({ method: 'POST', path: '/x', body: bytesBody('x') })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'NETWORK', delivery: 'unknown' });
    expect((error as Error).message).toContain('may or may not have reached the service');
  });
});

describe('connectMs covers the whole way to a usable connection', () => {
  async function silentProxy(): Promise<{ url: string; sawConnect: () => boolean }> {
    let sawConnect = false;
    const sockets = new Set<Socket>();
    const proxy: Server = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('data', (chunk) => {
        if (chunk.toString('latin1').startsWith('CONNECT ')) sawConnect = true;
      });
      socket.on('error', () => undefined);
    });
    proxy.listen(0, '127.0.0.1');
    await new Promise((resolve) => proxy.once('listening', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          proxy.close(() => resolve());
        }),
    );
    return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, sawConnect: () => sawConnect };
  }

  it('a proxy that never answers CONNECT fails in the connect phase, naming the figure, and is retried as not delivered', async () => {
    const proxy = await silentProxy();
    const dispatcher = new ProxyAgent({ uri: proxy.url });
    cleanups.push(() => dispatcher.destroy());
    transport = createTransport({
      baseUrl: 'https://dashscope.example.invalid',
      dispatcher,
      timeouts: { connectMs: 200 },
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const error = await transport
      .request({ method: 'POST', path: '/files', body: bytesBody('x') })
      .catch((caught: unknown) => caught);
    expect(proxy.sawConnect()).toBe(true);
    expect(error).toMatchObject({ code: 'RETRIES_EXHAUSTED', attempts: 2, delivery: 'not-delivered' });
    const last = (error as { cause: unknown }).cause;
    expect(TimeoutError.isInstance(last)).toBe(true);
    expect(last).toMatchObject({ phase: 'connect', timeoutMs: 200 });
    expect((last as Error).message).toContain('timeouts.connectMs = 200 ms');
    expect((last as Error).message).toContain('proxy tunnel');
  });

  it('the transport it builds from HTTPS_PROXY ends the CONNECT with the same timer', async () => {
    const proxy = await silentProxy();
    const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTPS_PROXY = proxy.url;
    delete process.env.NO_PROXY;
    cleanups.push(() => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });
    transport = createTransport({
      baseUrl: 'https://dashscope.example.invalid',
      timeouts: { connectMs: 200 },
      retry: false,
    });
    const error = await transport
      .request({ method: 'GET', path: '/files' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'TIMEOUT', phase: 'connect', timeoutMs: 200 });
  });

  it('an abort during the tunnel rejects with signal.reason at once', async () => {
    const proxy = await silentProxy();
    const dispatcher = new ProxyAgent({ uri: proxy.url });
    cleanups.push(() => dispatcher.destroy());
    transport = createTransport({
      baseUrl: 'https://dashscope.example.invalid',
      dispatcher,
      timeouts: { connectMs: 60_000 },
    });
    const controller = new AbortController();
    const reason = new Error('stop');
    const pending = transport.request({ method: 'GET', path: '/files', signal: controller.signal });
    for (let waited = 0; !proxy.sawConnect() && waited < 5000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});

describe('CR, LF and NUL in header values', () => {
  it.each([
    [
      'a header given by the caller',
      { headers: { 'x-oss-meta-name': 'a\r\nx-oss-object-acl: public-read' } },
    ],
    [
      'a header given by a service (a lease header)',
      { headers: { 'Content-Type': 'text/plain\nx-evil: 1' } },
    ],
    ['a NUL', { headers: { 'x-acs-note': 'a\0b' } }],
    ['a body content type', { body: bytesBody('x', 'image/png\r\nx-oss-object-acl: public-read') }],
  ])('are refused with INVALID_INPUT before a byte is sent: %s', async (_kind, extra) => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url });
    const error = await transport
      .request({ method: 'PUT', path: '/x', body: bytesBody('x'), ...extra })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', attempts: 1 });
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ['a file part content type', { contentType: 'image/png\r\nx-oss-object-acl: public-read' }],
    ['a file part NUL in the file name', { fileName: 'a\0.png' }],
  ])('are refused in multipart part headers: %s', async (_kind, extra) => {
    const directory = await mkdtemp(join(tmpdir(), 'x-transport-crlf-'));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const path = join(directory, 'a.png');
    await writeFile(path, 'png');
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url });
    const error = await transport
      .request({ method: 'POST', path: '/x', body: multipartBody([{ name: 'file', file: path, ...extra }]) })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(server.requests).toHaveLength(0);
  });
});
