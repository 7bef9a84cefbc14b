import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { acs3, createTransport, type Transport } from '../src/index.js';
import { type LoopbackServer, sendJson, startServer } from './helpers.js';

interface OfficialSigner {
  getAuthorization(
    request: {
      method: string;
      pathname: string;
      query: Record<string, string>;
      headers: Record<string, string>;
    },
    algorithm: string,
    payload: string,
    accessKeyId: string,
    accessKeySecret: string,
  ): string;
}
const official = (createRequire(import.meta.url)('@alicloud/openapi-util') as { default: OfficialSigner })
  .default;

let server: LoopbackServer | undefined;
let transport: Transport | undefined;
afterEach(async () => {
  await transport?.close();
  await server?.close();
});

/**
 * A server that reads the query as servers do (form decoding: `+` is a space) and checks the ACS3 signature over
 * what it decoded with the official signing function, answering 400 SignatureDoesNotMatch when they differ.
 */
async function verifyingServer(): Promise<LoopbackServer & { decoded: Record<string, string>[] }> {
  const decoded: Record<string, string>[] = [];
  const loopback = await startServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://server');
    const query = Object.fromEntries(url.searchParams);
    decoded.push(query);
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
    );
    const expected = official.getAuthorization(
      { method: request.method ?? 'GET', pathname: url.pathname, query, headers },
      'ACS3-HMAC-SHA256',
      headers['x-acs-content-sha256'] ?? '',
      'AK-query',
      'query-secret',
    );
    if (expected !== headers.authorization) sendJson(response, 400, { Code: 'SignatureDoesNotMatch' });
    else sendJson(response, 200, { Success: true });
  });
  return Object.assign(loopback, { decoded });
}

const cases: [string, string, string][] = [
  // [as written in the path's query, what a server decodes, the same value given through `query`]
  ['a+b', 'a b', 'a b'],
  ['a%20b', 'a b', 'a b'],
  ['a%2Bb', 'a+b', 'a+b'],
  ['a*b', 'a*b', 'a*b'],
  ['a~b', 'a~b', 'a~b'],
  ["a'b", "a'b", "a'b"],
  ['(a)', '(a)', '(a)'],
  ['%E6%8A%A5%E5%91%8A.pdf', '报告.pdf', '报告.pdf'],
  ['报告 é.pdf', '报告 é.pdf', '报告 é.pdf'],
  ['a%26b%3Dc', 'a&b=c', 'a&b=c'],
];

describe('a query written into path', () => {
  it.each(cases)(
    '%s is signed as the server decodes it (%s), and means what the query option means',
    async (written, meant, viaOption) => {
      server = await verifyingServer();
      transport = createTransport({
        baseUrl: server.url,
        auth: acs3({ accessKeyId: 'AK-query', accessKeySecret: 'query-secret' }),
        retry: false,
      });
      const headers = { 'x-acs-action': 'ListFile', 'x-acs-version': '2023-12-29' };
      await transport.request({
        method: 'GET',
        path: `/ws/datacenter/files?CategoryId=default&FileName=${written}`,
        headers,
      });
      await transport.request({
        method: 'GET',
        path: '/ws/datacenter/files',
        query: { CategoryId: 'default', FileName: viaOption },
        headers,
      });
      const [fromPath, fromOption] = (server as LoopbackServer & { decoded: Record<string, string>[] })
        .decoded;
      expect(fromPath).toEqual({ CategoryId: 'default', FileName: meant });
      expect(fromOption).toEqual(fromPath);
      // One wire form for both, with no bare + or space that a decoder could read two ways.
      const [first, second] = server.requests;
      expect(first!.url).toBe(second!.url);
      expect(first!.url.split('?')[1]).not.toMatch(/[+ ]/);
    },
  );

  it('refuses a key given both in the path and in the query option, or twice', async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    transport = createTransport({ baseUrl: server.url, retry: false });
    await expect(
      transport.request({ method: 'GET', path: '/files?FileName=a', query: { FileName: 'b' } }),
    ).rejects.toMatchObject({ code: 'INVALID_QUERY' });
    await expect(transport.request({ method: 'GET', path: '/files?a=1&a=2' })).rejects.toMatchObject({
      code: 'INVALID_QUERY',
    });
    expect(server.requests).toHaveLength(0);
  });
});
