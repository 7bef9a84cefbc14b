import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acs3, createTransport, HttpStatusError, type Transport } from '@x/transport';
import { describe, expect, it } from 'vitest';
import { contractContext, pdfBytes } from './contract-context.js';

const context = await contractContext();

describe('the PUT to the lease URL', () => {
  it('sends the lease Content-Type even when empty, once, and AddFile then names the missing upload (seed 000 FAQ)', async () => {
    // The lease answer is rewritten to point at a capturing server and to carry an empty Content-Type.
    const seen: { method: string; rawHeaders: string[]; headers: IncomingHttpHeaders; bytes: number }[] = [];
    const server = createServer((request, response) => {
      let bytes = 0;
      request.on('data', (chunk: Buffer) => {
        bytes += chunk.byteLength;
      });
      request.on('end', () => {
        seen.push({
          method: request.method ?? '',
          rawHeaders: request.rawHeaders,
          headers: request.headers,
          bytes,
        });
        response.writeHead(200);
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const putUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload/doc.pdf?Expires=9999999999&Signature=abc`;
    const inner = createTransport({ baseUrl: context.url, auth: acs3(context.credentials) });
    const transport: Transport = {
      async request(request) {
        const response = await inner.request(request);
        if (request.operation === 'ApplyFileUploadLease') {
          const body = response.body as { Data: { Param: { Url: string; Headers: unknown } } };
          body.Data.Param.Url = putUrl;
          body.Data.Param.Headers = '"X-bailian-extra": "MTAwNTQyNjQ5NTE2OTE3OA==",\n"Content-Type": ""';
        }
        return response;
      },
      close: () => inner.close(),
    };
    try {
      const bytes = pdfBytes('empty content type');
      const path = await context.file('empty-type.pdf', bytes);
      const error = await context
        .client({ transport })
        .uploadDocument(path, { wait: false })
        .catch((caught: unknown) => caught);
      expect(seen).toHaveLength(1);
      const put = seen[0]!;
      expect(put.method).toBe('PUT');
      expect(put.bytes).toBe(bytes.byteLength);
      expect(put.headers['content-length']).toBe(String(bytes.byteLength));
      expect(put.headers['x-bailian-extra']).toBe('MTAwNTQyNjQ5NTE2OTE3OA==');
      const contentTypes = put.rawHeaders.filter(
        (_, index) => index % 2 === 0 && put.rawHeaders[index]!.toLowerCase() === 'content-type',
      );
      expect(contentTypes).toHaveLength(1);
      expect(put.headers['content-type']).toBe('');
      expect(put.headers.authorization).toBeUndefined();
      // The bytes never reached the service's storage, so AddFile is refused, with the FAQ's hint.
      expect(HttpStatusError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/upload step/);
    } finally {
      await transport.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
