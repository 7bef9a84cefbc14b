import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  bytesBody,
  createTransport,
  type Logger,
  ResponseValidationError,
  type Transport,
} from '../src/index.js';
import { type LoopbackServer, sendJson, startServer } from './helpers.js';

let server: LoopbackServer | undefined;
let transport: Transport | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await transport?.close();
  await server?.close();
  transport = undefined;
  server = undefined;
});

describe('responses', () => {
  it('reads JSON, text, bytes, HEAD and 204, and the request id from headers or body', async () => {
    server = await startServer((request, response) => {
      if (request.url === '/json') sendJson(response, 200, { RequestId: 'body-id', value: 1 });
      else if (request.url === '/header')
        sendJson(response, 200, { request_id: 'body' }, { 'x-request-id': 'header-id' });
      else if (request.url === '/empty') response.writeHead(204).end();
      else response.writeHead(200, { 'content-type': 'text/plain' }).end('héllo');
    });
    transport = createTransport({ baseUrl: server.url });
    const json = await transport.request({
      method: 'GET',
      path: '/json',
      schema: z.object({ value: z.number() }),
    });
    expect(json.body).toEqual({ value: 1 });
    expect(json.requestId).toBe('body-id');
    expect((await transport.request({ method: 'GET', path: '/header' })).requestId).toBe('header-id');
    expect((await transport.request({ method: 'GET', path: '/text', responseType: 'text' })).body).toBe(
      'héllo',
    );
    const bytes = await transport.request({ method: 'GET', path: '/text', responseType: 'bytes' });
    expect(Buffer.from(bytes.body as Uint8Array).toString()).toBe('héllo');
    expect((await transport.request({ method: 'DELETE', path: '/empty' })).body).toBeUndefined();
    const head = await transport.request({ method: 'HEAD', path: '/text' });
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/plain');
  });

  it('fails with RESPONSE_VALIDATION, never retried, when a success body is not JSON', async () => {
    server = await startServer((_request, response) => response.writeHead(200).end('<html>'));
    transport = createTransport({ baseUrl: server.url });
    const error = await transport.request({ method: 'GET', path: '/x' }).catch((caught: unknown) => caught);
    expect(ResponseValidationError.isInstance(error) && error.status).toBe(200);
    expect(server.requests).toHaveLength(1);
  });
  it('hands back a stream response unread, and aborts it with the request signal', async () => {
    server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'x-request-id': 'stream-id' });
      response.write(Buffer.alloc(1024, 1));
      // The rest never comes: only an abort ends the body.
    });
    transport = createTransport({ baseUrl: server.url });
    const controller = new AbortController();
    const response = await transport.request<NodeJS.ReadableStream>({
      method: 'GET',
      path: '/content',
      responseType: 'stream',
      signal: controller.signal,
    });
    expect(response.requestId).toBe('stream-id');
    const reader = response.body[Symbol.asyncIterator]();
    const first = await reader.next();
    expect((first.value as Buffer).byteLength).toBe(1024);
    const reason = new Error('stop reading');
    const pending = reader.next();
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});

describe('options', () => {
  it('retries a POST marked idempotent', async () => {
    server = await startServer((_request, response, index) =>
      sendJson(response, index === 0 ? 503 : 200, {}),
    );
    transport = createTransport({ baseUrl: server.url, retry: { baseDelayMs: 1 } });
    const response = await transport.request({
      method: 'POST',
      path: '/x',
      idempotent: true,
      body: bytesBody('a'),
    });
    expect(response.attempts).toBe(2);
    expect(server.requests.map((request) => request.body.toString())).toEqual(['a', 'a']);
  });

  it('logs each retry with its reason and delay, and puts the product token first in the User-Agent', async () => {
    server = await startServer((_request, response, index) =>
      sendJson(response, index === 0 ? 503 : 200, {}, { 'retry-after-ms': '10' }),
    );
    const warnings: [string, Record<string, unknown> | undefined][] = [];
    const logger: Logger = { warn: (message, fields) => warnings.push([message, fields]) };
    transport = createTransport({ baseUrl: server.url, logger, userAgent: 'x-temp-oss/1.2.0' });
    await transport.request({ method: 'GET', path: '/x', operation: 'GetPolicy' });
    expect(warnings).toEqual([
      [
        'retrying request',
        { operation: 'GetPolicy', request: 'GET /x', attempt: 1, code: 'HTTP_STATUS', delayMs: 10 },
      ],
    ]);
    expect(server.requests[0]?.headers['user-agent']).toMatch(
      /^x-temp-oss\/1\.2\.0 x-transport\/\S+ node\/\d+\.\d+\.\d+$/,
    );
  });

  it('closes the dispatcher it built, never one passed in', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    const agent = new Agent();
    const borrowed = createTransport({ baseUrl: server.url, dispatcher: agent });
    await borrowed.request({ method: 'GET', path: '/x' });
    await borrowed.close();
    expect(agent.closed).toBe(false);
    await borrowed.request({ method: 'GET', path: '/x' });
    await agent.close();

    transport = createTransport({ baseUrl: server.url });
    await transport.request({ method: 'GET', path: '/x' });
    await transport.close();
    await transport.request({ method: 'GET', path: '/x' }); // a closed transport builds a fresh dispatcher
    expect(server.requests).toHaveLength(4);
  });

  it('goes through HTTP_PROXY when it is set', async () => {
    // The target; the proxy tunnels every CONNECT to it, whatever host was asked for, and records the authority.
    server = await startServer((request, response) => sendJson(response, 200, { path: request.url }));
    const targetPort = Number(new URL(server.url).port);
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
      tunnels.push(request.url ?? '');
      const upstream = connect(targetPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    vi.stubEnv('HTTP_PROXY', `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    vi.stubEnv('NO_PROXY', '');
    try {
      transport = createTransport({ baseUrl: 'http://bailian.invalid:8080' });
      const response = await transport.request({
        method: 'GET',
        path: '/llm-ws/datacenter/files',
        query: { MaxResults: 5 },
      });
      expect(response.body).toEqual({ path: '/llm-ws/datacenter/files?MaxResults=5' });
      expect(tunnels).toEqual(['bailian.invalid:8080']);
      expect(server.requests[0]?.headers.host).toBe('bailian.invalid:8080');
    } finally {
      await transport?.close();
      transport = undefined;
      proxy.closeAllConnections();
      proxy.close();
    }
  });
});
