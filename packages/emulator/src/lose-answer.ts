import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Lets the service write its whole answer to `response`, as usual, and keeps it from the client: the bytes are held
 * back from the socket and, once the answer is complete, `at: 'head'` destroys the socket with none of them sent;
 * `at: 'body'` sends the head and the first half of the body (half the head when there is no body), then destroys
 * the socket. The service's own code runs
 * unchanged (its state changes, its streams finish), so what the client loses is only the answer.
 *
 * @example
 * ```ts
 * loseAnswer(exchange.response, 'body');
 * await surface.handle(exchange); // the file is added; the client sees a connection reset mid-body
 * ```
 */
export function loseAnswer(response: ServerResponse, at: 'head' | 'body'): void {
  const socket = response.socket;
  if (socket === null) return;
  const held: Buffer[] = [];
  const write = socket.write;
  socket.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
    const callback = rest.find((value) => typeof value === 'function') as
      | ((error?: Error | null) => void)
      | undefined;
    held.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk));
    if (callback !== undefined) process.nextTick(callback);
    return true;
  }) as Socket['write'];
  const end = response.end;
  // `end` writes the last bytes to the socket synchronously (the socket is attached: the request is being answered),
  // so once it returns, everything the service answered is held.
  response.end = ((...parameters: Parameters<ServerResponse['end']>) => {
    const result = end.apply(response, parameters);
    socket.write = write;
    const bytes = Buffer.concat(held);
    if (at === 'head') {
      socket.destroy();
      return result;
    }
    const headEnd = bytes.indexOf('\r\n\r\n');
    const bodyStart = headEnd < 0 ? bytes.byteLength : headEnd + 4;
    // An answer without a body (a 204, `content-length: 0`) is cut within its head, so it never arrives whole.
    const cut =
      bodyStart === bytes.byteLength
        ? Math.floor(bytes.byteLength / 2)
        : bodyStart + Math.floor((bytes.byteLength - bodyStart) / 2);
    socket.write(bytes.subarray(0, cut), () => socket.destroy());
    return result;
  }) as ServerResponse['end'];
}
