import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP proxy in front of the emulator that keeps every request head and every response body it relays. */
export interface RecordingProxy {
  readonly url: string;
  /** Every `authorization` header value seen. */
  readonly authorizations: string[];
  /** Every request target seen (path and query). */
  readonly targets: string[];
  /** Every response body, as text (bodies over 1 MiB are cut). */
  readonly responseBodies: string[];
  close(): Promise<void>;
}

export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const authorizations: string[] = [];
  const targets: string[] = [];
  const responseBodies: string[] = [];
  const server = createServer((request, response) => {
    targets.push(request.url ?? '');
    if (typeof request.headers.authorization === 'string') authorizations.push(request.headers.authorization);
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        // The Host header as the client sent (and, for ACS3, signed) it.
        headers: request.headers,
      },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        const chunks: Buffer[] = [];
        let sizeBytes = 0;
        upstreamResponse.on('data', (chunk: Buffer) => {
          sizeBytes += chunk.length;
          if (sizeBytes <= 1 << 20) chunks.push(chunk);
        });
        upstreamResponse.on('end', () => responseBodies.push(Buffer.concat(chunks).toString('utf8')));
        upstreamResponse.on('error', () => response.destroy());
        upstreamResponse.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.on('error', () => forwarded.destroy());
    response.on('close', () => {
      if (!response.writableFinished) forwarded.destroy();
    });
    request.pipe(forwarded);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    authorizations,
    targets,
    responseBodies,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The signatures and tokens a recording holds: policy signatures, `Signature=` values, ACS3 signatures, tokens. */
export function wireSecrets(proxy: RecordingProxy): string[] {
  const found = new Set<string>();
  const text = [...proxy.responseBodies, ...proxy.targets, ...proxy.authorizations].join('\n');
  for (const match of text.matchAll(/"signature"\s*:\s*"([^"]+)"/gi)) found.add(match[1]!);
  for (const match of text.matchAll(/"(?:x_oss_security_token|SecurityToken)"\s*:\s*"([^"]+)"/g))
    found.add(match[1]!);
  for (const match of text.matchAll(/[?&]Signature=([^&"\s]+)/g)) {
    found.add(match[1]!);
    found.add(decodeURIComponent(match[1]!));
  }
  for (const match of text.matchAll(/Signature=([0-9a-f]{32,})/g)) found.add(match[1]!);
  return [...found].filter((secret) => secret.length >= 8);
}
