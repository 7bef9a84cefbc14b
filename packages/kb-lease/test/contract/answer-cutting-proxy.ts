import { once } from 'node:events';
import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP proxy in front of the emulator that loses the answers of some requests after they were served. */
export interface AnswerCuttingProxy {
  /** The proxy's origin, to use as the client's `endpoint`. */
  readonly url: string;
  /** How many answers were cut so far. */
  readonly cutCount: number;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target` over a real connection and, for the first `times` requests that `matches`
 * picks, lets the emulator act on the request and answer in full, then sends the client the answer's head and half
 * its body and destroys the client's socket: the service did the work, the client saw a connection reset.
 * (The emulator's own `reset` fault with `phase: 'response'` drops the request before the service acts on it.)
 */
export async function startAnswerCuttingProxy(
  target: string,
  matches: (method: string, path: string) => boolean,
  times: number,
): Promise<AnswerCuttingProxy> {
  const upstream = new URL(target);
  let cutCount = 0;
  const server = createServer((incoming, outgoing) => {
    const proxied = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        // The client signed its own Host (the proxy's); the emulator checks the signature against the same header.
        headers: incoming.headers,
      },
      async (answer) => {
        const chunks: Buffer[] = [];
        for await (const chunk of answer) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks);
        const isCut = cutCount < times && matches(incoming.method ?? '', incoming.url ?? '');
        if (isCut) cutCount += 1;
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        if (!isCut) {
          outgoing.end(body);
          return;
        }
        outgoing.write(body.subarray(0, Math.floor(body.byteLength / 2)), () => outgoing.socket?.destroy());
      },
    );
    proxied.on('error', () => outgoing.socket?.destroy());
    incoming.pipe(proxied);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get cutCount() {
      return cutCount;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
